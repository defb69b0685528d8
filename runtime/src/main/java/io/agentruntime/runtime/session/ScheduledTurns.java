package io.agentruntime.runtime.session;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The turns of this session that a schedule's firing started, held before their first model call
 * while firings of the node still wait to be sent (decision 0064), so that many runs due at one
 * instant are journaled first and their turns' work (model calls, their writes) comes after. The
 * message is journaled at once and the turn runs, as a turn whose model is slow to answer: nothing
 * is journaled for the hold, a user's message meanwhile queues behind it as behind any running
 * turn, and a turn recovered after a restart or a move is not held (it only runs later than it
 * could have). Actor-side; the rules are the node gate's ({@link FiringAdmission}).
 */
final class ScheduledTurns {

  private final ActorContext<SessionCommand> ctx;

  /** Turns a firing started whose first model call has not been let go yet. */
  private final Set<String> held = new HashSet<>();

  /** Of those, the ones whose hold was asked of the node's gate. */
  private final Set<String> asked = new HashSet<>();

  ScheduledTurns(ActorContext<SessionCommand> ctx) {
    this.ctx = ctx;
  }

  /** Turn {@code turnId} was opened by a schedule's firing (held unless holding is off). */
  void fired(String turnId) {
    if (!FiringGate.holdBehindFirings(ctx.getSystem()).isZero()) {
      held.add(turnId);
    }
  }

  /**
   * Whether the first model call of {@code turnId} waits now; the first time, asks the node's gate,
   * whose answer (or the hold's end) comes back as {@link InternalCommand.FiringsClear}.
   */
  boolean holds(String turnId) {
    if (!held.contains(turnId)) {
      return false;
    }
    if (asked.add(turnId)) {
      Duration longest = FiringGate.holdBehindFirings(ctx.getSystem());
      ctx.ask(
          FiringGate.Clear.class,
          FiringGate.of(ctx.getSystem()),
          longest,
          FiringGate.AfterFirings::new,
          (clear, tooLong) -> new InternalCommand.FiringsClear(turnId));
    }
    return true;
  }

  /** No firing of the node waits any more, or the hold has lasted its longest: the turn goes. */
  void clear(String turnId) {
    held.remove(turnId);
    asked.remove(turnId);
  }
}
