package io.agentruntime.http.routes;

import io.agentruntime.http.auth.Principal;
import io.agentruntime.runtime.session.OnBusy;
import io.agentruntime.runtime.session.SessionCommand.AwaitTurn;
import io.agentruntime.runtime.session.SessionCommand.GetTurn;
import io.agentruntime.runtime.session.SessionCommand.SendUserMessage;
import io.agentruntime.runtime.session.SessionReply;
import io.agentruntime.runtime.session.Turn;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * Lets a request wait for a turn to settle (end, or pause for an approval) without holding a
 * thread: the session answers the moment the turn settles. When the time is up first (or the
 * session restarted and forgot the waiter), the turn is read as it stands.
 */
final class TurnWaiter {

  private final SessionGateway gateway;

  TurnWaiter(SessionGateway gateway) {
    this.gateway = gateway;
  }

  /**
   * Sends a user message and waits up to {@code wait} (not zero) for its turn to settle, in one
   * ask: the session answers once the turn settles, or with the turn as it stands when the wait is
   * over. The turn is named here, so that a request that heard nothing (the session was moving,
   * say) can still find it; a turn that cannot be found was never accepted, and the request fails
   * as the ask did (a 503).
   */
  CompletionStage<Turn> send(
      Principal principal,
      String sessionId,
      String content,
      OnBusy onBusy,
      String idempotencyKey,
      Duration wait) {
    String turnId = Turn.newId();
    long answerBy = System.currentTimeMillis() + wait.toMillis();
    return gateway
        .ask(
            principal,
            sessionId,
            (caller, replyTo) ->
                new SendUserMessage(
                    caller, content, onBusy, idempotencyKey, turnId, answerBy, replyTo),
            SessionReply.TurnAccepted.class,
            wait.plus(gateway.askTimeout()))
        .thenApply(SessionReply.TurnAccepted::turn)
        .exceptionallyCompose(
            failure ->
                timedOut(failure)
                    ? gateway
                        .ask(
                            principal,
                            sessionId,
                            (caller, replyTo) -> new GetTurn(caller, turnId, replyTo),
                            SessionReply.TurnFound.class)
                        .thenApply(SessionReply.TurnFound::turn)
                        .exceptionallyCompose(lookup -> CompletableFuture.failedStage(failure))
                    : CompletableFuture.failedStage(failure));
  }

  CompletionStage<Turn> await(Principal principal, String sessionId, Turn seen, Duration wait) {
    if (seen.settled() || wait.isZero()) {
      return CompletableFuture.completedFuture(seen);
    }
    return gateway
        .ask(
            principal,
            sessionId,
            (caller, replyTo) -> new AwaitTurn(caller, seen.id(), replyTo),
            SessionReply.TurnFound.class,
            wait)
        .thenApply(SessionReply.TurnFound::turn)
        .exceptionallyCompose(
            failure ->
                timedOut(failure)
                    ? gateway
                        .ask(
                            principal,
                            sessionId,
                            (caller, replyTo) -> new GetTurn(caller, seen.id(), replyTo),
                            SessionReply.TurnFound.class)
                        .thenApply(SessionReply.TurnFound::turn)
                    : CompletableFuture.failedStage(failure));
  }

  private static boolean timedOut(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return cause instanceof TimeoutException;
  }
}
