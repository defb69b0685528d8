package io.agentruntime.http.routes;

import io.agentruntime.http.auth.Principal;
import io.agentruntime.runtime.session.SessionCommand.AwaitTurn;
import io.agentruntime.runtime.session.SessionCommand.GetTurn;
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

  CompletionStage<Turn> await(Principal principal, String sessionId, Turn seen, Duration wait) {
    if (seen.settled() || wait.isZero()) {
      return CompletableFuture.completedFuture(seen);
    }
    return gateway
        .ask(principal, sessionId, (caller, replyTo) -> new AwaitTurn(caller, seen.id(), replyTo),
            SessionReply.TurnFound.class, wait)
        .thenApply(SessionReply.TurnFound::turn)
        .exceptionallyCompose(failure -> timedOut(failure)
            ? gateway.ask(principal, sessionId, (caller, replyTo) -> new GetTurn(caller, seen.id(), replyTo),
                SessionReply.TurnFound.class).thenApply(SessionReply.TurnFound::turn)
            : CompletableFuture.failedStage(failure));
  }

  private static boolean timedOut(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return cause instanceof TimeoutException;
  }
}
