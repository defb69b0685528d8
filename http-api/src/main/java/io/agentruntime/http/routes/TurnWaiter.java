package io.agentruntime.http.routes;

import io.agentruntime.http.auth.Principal;
import io.agentruntime.runtime.session.SessionCommand.GetTurn;
import io.agentruntime.runtime.session.SessionReply;
import io.agentruntime.runtime.session.Turn;
import io.agentruntime.runtime.session.TurnStatus;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.Patterns;

/**
 * Lets a request wait for a turn to settle (end, or pause for an approval) without holding a
 * thread: it asks the session for the turn again every poll interval, on the scheduler, until the
 * turn settles or the time is up, and yields the turn as last seen.
 */
final class TurnWaiter {

  private final ActorSystem<?> system;
  private final SessionGateway gateway;
  private final Duration pollInterval;

  TurnWaiter(ActorSystem<?> system, SessionGateway gateway, Duration pollInterval) {
    this.system = system;
    this.gateway = gateway;
    this.pollInterval = pollInterval;
  }

  static boolean settled(Turn turn) {
    return turn.status().terminal() || turn.status() == TurnStatus.AWAITING_APPROVAL;
  }

  CompletionStage<Turn> await(Principal principal, String sessionId, Turn seen, Duration wait) {
    if (settled(seen) || wait.isZero()) {
      return CompletableFuture.completedFuture(seen);
    }
    return poll(principal, sessionId, seen, System.nanoTime() + wait.toNanos());
  }

  private CompletionStage<Turn> poll(Principal principal, String sessionId, Turn seen, long deadlineNanos) {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      return CompletableFuture.completedFuture(seen);
    }
    Duration delay = Duration.ofNanos(Math.min(left, pollInterval.toNanos()));
    return Patterns.<Turn>after(delay, system, () -> gateway
            .ask(principal, sessionId, (caller, replyTo) -> new GetTurn(caller, seen.id(), replyTo), SessionReply.TurnFound.class)
            .thenApply(SessionReply.TurnFound::turn))
        .thenCompose(turn -> settled(turn)
            ? CompletableFuture.completedFuture(turn)
            : poll(principal, sessionId, turn, deadlineNanos));
  }
}
