package io.agentruntime.runtime.session;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * What the session journals when work it started comes back (a model reply, a tool result), when a
 * deadline passes, or when it wakes after a crash. Each answer is a batch of events, empty when the
 * news is stale: the turn ended or moved on in the meantime.
 */
final class TurnProgress {

  private final TurnPlanner planner;
  private final Clock clock;

  TurnProgress(TurnPlanner planner, Clock clock) {
    this.planner = planner;
    this.clock = clock;
  }

  /** After recovery: calls cut off by a crash are retried (idempotent tools) or put in doubt. */
  EventBatch resume(SessionState s, Set<String> cutOff) {
    EventBatch batch = new EventBatch(s);
    Instant now = clock.instant();
    for (String key : cutOff) {
      PendingCall call = s.pendingCalls().get(key);
      if (call == null || call.stage() != PendingCall.Stage.RUNNING) {
        continue;
      }
      boolean idempotent =
          ToolCatalog.resolve(s, call.tool()).map(ToolCatalog.Target::idempotent).orElse(false);
      if (!idempotent) {
        planner.markInDoubt(batch, call, now);
      }
    }
    if (s.exists()) {
      planner.startNextTurn(batch, now);
    }
    return batch;
  }

  EventBatch modelAnswered(SessionState s, InternalCommand.ModelAnswered c) {
    EventBatch batch = new EventBatch(s);
    awaitingModel(s, c.turnId(), c.step())
        .ifPresent(turn -> planner.onModelReply(batch, turn, c.step(), c.reply(), clock.instant()));
    return batch;
  }

  EventBatch modelFailed(SessionState s, InternalCommand.ModelFailed c) {
    EventBatch batch = new EventBatch(s);
    awaitingModel(s, c.turnId(), c.step())
        .ifPresent(
            turn -> {
              planner.endTurn(batch, turn, false, c.code(), c.message(), null, clock.instant());
              planner.startNextTurn(batch, clock.instant());
            });
    return batch;
  }

  EventBatch toolFinished(SessionState s, InternalCommand.ToolFinished c) {
    EventBatch batch = new EventBatch(s);
    s.pendingCall(c.turnId(), c.toolCallId())
        .filter(p -> p.stage() == PendingCall.Stage.RUNNING)
        .ifPresent(call -> planner.finishTool(batch, call, c.result(), clock.instant()));
    return batch;
  }

  EventBatch turnDeadlinePassed(SessionState s, InternalCommand.TurnDeadlinePassed c) {
    EventBatch batch = new EventBatch(s);
    Instant now = clock.instant();
    s.activeTurn()
        .filter(t -> t.id().equals(c.turnId()) && t.status() == TurnStatus.RUNNING)
        .filter(t -> t.deadline() != null && !now.isBefore(t.deadline()))
        .ifPresent(
            turn -> {
              planner.endTurn(
                  batch,
                  turn,
                  false,
                  "turn_timeout",
                  "the turn ran longer than its budget of "
                      + s.agent().limits().maxTurnSeconds()
                      + " s",
                  null,
                  now);
              planner.startNextTurn(batch, now);
            });
    return batch;
  }

  EventBatch approvalDeadlinePassed(SessionState s, InternalCommand.ApprovalDeadlinePassed c) {
    EventBatch batch = new EventBatch(s);
    Instant now = clock.instant();
    s.approval(c.approvalId())
        .filter(a -> a.pending() && !now.isBefore(a.expiresAt()))
        .ifPresent(approval -> planner.expire(batch, approval, now));
    return batch;
  }

  /** The turn, if it still waits for the answer of this very step. */
  private static Optional<Turn> awaitingModel(SessionState s, String turnId, int step) {
    return s.activeTurn()
        .filter(t -> t.id().equals(turnId) && s.awaitsModel(t) && t.steps() + 1 == step);
  }
}
