package io.agentruntime.runtime.session;

import io.agentruntime.runtime.model.ModelClient;
import io.agentruntime.runtime.model.ModelException;
import io.agentruntime.runtime.model.ModelRequest;
import io.agentruntime.runtime.session.InternalCommand.ApprovalDeadlinePassed;
import io.agentruntime.runtime.session.InternalCommand.IdleCheck;
import io.agentruntime.runtime.session.InternalCommand.ModelAnswered;
import io.agentruntime.runtime.session.InternalCommand.ModelFailed;
import io.agentruntime.runtime.session.InternalCommand.ToolFinished;
import io.agentruntime.runtime.session.InternalCommand.TurnDeadlinePassed;
import io.agentruntime.runtime.tools.ToolInvocation;
import io.agentruntime.runtime.tools.ToolResult;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Acts on what the journal says must happen next: asks the model, calls tools, arms deadlines. It
 * runs after every persist and after recovery, and starts only what this incarnation of the entity
 * has not started yet; results come back to the entity as commands (pipeToSelf), never touching
 * state from another thread.
 */
final class TurnDriver {

  private final ActorContext<SessionCommand> ctx;
  private final TimerScheduler<SessionCommand> timers;
  private final SessionRuntime runtime;
  private final String entityId;
  private final String tenant;
  private final Set<String> inFlight = new HashSet<>();

  /**
   * Approvals whose expiry timer this incarnation armed. It only grows, which costs a few ids per
   * approval until the session stops: a timer that fires late is harmless, as the deadline's
   * handler checks that the approval is still pending.
   */
  private final Set<String> armedApprovals = new HashSet<>();

  /** Pending-call keys of calls that were running when the entity last stopped. */
  private final Set<String> recovered = new HashSet<>();

  private boolean holding;

  TurnDriver(
      ActorContext<SessionCommand> ctx,
      TimerScheduler<SessionCommand> timers,
      SessionRuntime runtime,
      String entityId,
      String tenant) {
    this.ctx = ctx;
    this.timers = timers;
    this.runtime = runtime;
    this.entityId = entityId;
    this.tenant = tenant;
  }

  /** Recovery ended: hold back the calls that were running until {@link #resume()}. */
  void recovering(SessionState s) {
    s.pendingCalls()
        .forEach(
            (key, call) -> {
              if (call.stage() == PendingCall.Stage.RUNNING) {
                recovered.add(key);
              }
            });
    holding = !recovered.isEmpty();
  }

  Set<String> recovered() {
    return Set.copyOf(recovered);
  }

  void resume() {
    recovered.clear();
    holding = false;
  }

  void reconcile(SessionState s) {
    Optional<Turn> active = s.activeTurn();
    active.ifPresentOrElse(turn -> drive(s, turn), () -> timers.cancel("turn-deadline"));
    armApprovals(s);
    if (active.isEmpty() && s.nextQueuedTurn().isEmpty()) {
      timers.startSingleTimer("idle", new IdleCheck(), runtime.turns().idleTimeout());
    } else {
      timers.cancel("idle");
    }
  }

  /** A result came back: the work it stood for is no longer in flight. */
  void landed(String key) {
    inFlight.remove(key);
  }

  static String modelKey(String turnId, int step) {
    return "model/" + turnId + "/" + step;
  }

  static String toolKey(String turnId, String toolCallId) {
    return "tool/" + turnId + "/" + toolCallId;
  }

  private void drive(SessionState s, Turn turn) {
    if (s.suspended()) {
      // Frozen: the budget does not run (the deadline moves on at resume) and nothing is called.
      timers.cancel("turn-deadline");
      return;
    }
    if (turn.status() == TurnStatus.RUNNING && turn.deadline() != null) {
      timers.startSingleTimer(
          "turn-deadline", new TurnDeadlinePassed(turn.id()), until(turn.deadline()));
    } else {
      timers.cancel("turn-deadline");
    }
    if (s.awaitsModel(turn)) {
      int step = turn.steps() + 1;
      if (inFlight.add(modelKey(turn.id(), step))) {
        callModel(s, turn, step);
      }
    }
    for (PendingCall call : s.pendingCallsOf(turn.id())) {
      boolean heldBack =
          holding && recovered.contains(SessionState.callKey(turn.id(), call.toolCallId()));
      if (call.stage() == PendingCall.Stage.RUNNING
          && !heldBack
          && inFlight.add(toolKey(turn.id(), call.toolCallId()))) {
        callTool(s, turn, call);
      }
    }
  }

  private void callModel(SessionState s, Turn turn, int step) {
    Optional<ModelClient> client = runtime.models().provider(s.agent().model());
    if (client.isEmpty()) {
      ctx.getSelf()
          .tell(
              new ModelFailed(
                  turn.id(),
                  step,
                  "model_not_configured",
                  "no model provider named "
                      + s.agent().model()
                      + " is configured on this server"));
      return;
    }
    ModelRequest request =
        new ModelRequest(
            s.agent().instructions(),
            ContextWindow.messages(s, runtime.turns().contextTurns()),
            ToolCatalog.specs(s),
            bounded(runtime.turns().modelTimeout(), turn));
    long asked = System.nanoTime();
    ctx.pipeToSelf(
        client
            .get()
            .complete(
                request,
                delta -> ctx.getSelf().tell(new InternalCommand.PublishDelta(turn.id(), delta))),
        (reply, failure) -> {
          runtime
              .metrics()
              .modelCallReturned(
                  failure == null ? "succeeded" : "failed", System.nanoTime() - asked);
          if (failure == null) {
            return new ModelAnswered(turn.id(), step, StorableReplies.model(reply));
          }
          Throwable cause =
              failure instanceof CompletionException && failure.getCause() != null
                  ? failure.getCause()
                  : failure;
          return cause instanceof ModelException m
              ? new ModelFailed(turn.id(), step, m.code(), StorableReplies.text(m.getMessage()))
              : new ModelFailed(
                  turn.id(),
                  step,
                  "model_error",
                  StorableReplies.text(String.valueOf(cause.getMessage())));
        });
  }

  private void callTool(SessionState s, Turn turn, PendingCall call) {
    Optional<ToolCatalog.Target> target = ToolCatalog.resolve(s, call.tool());
    if (target.isEmpty() || target.get().builtIn()) {
      ctx.getSelf()
          .tell(
              new ToolFinished(
                  turn.id(),
                  call.toolCallId(),
                  new ToolResult.Failed(
                      "tool_disconnected", "the tool " + call.tool() + " is no longer connected")));
      return;
    }
    ToolInvocation invocation =
        new ToolInvocation(
            tenant,
            entityId,
            target.get().connection(),
            target.get().remoteName(),
            call.arguments(),
            call.idempotencyKey(),
            bounded(runtime.turns().toolTimeout(), turn));
    long asked = System.nanoTime();
    ctx.pipeToSelf(
        runtime.tools().call(invocation),
        (result, failure) -> {
          ToolResult outcome =
              StorableReplies.tool(
                  failure == null
                      ? result
                      : new ToolResult.Failed("tool_error", String.valueOf(failure.getMessage())));
          runtime
              .metrics()
              .toolCallReturned(
                  outcome instanceof ToolResult.Succeeded ? "succeeded" : "failed",
                  System.nanoTime() - asked);
          return new ToolFinished(turn.id(), call.toolCallId(), outcome);
        });
  }

  private void armApprovals(SessionState s) {
    for (Approval approval : s.pendingApprovals()) {
      if (armedApprovals.add(approval.id())) {
        timers.startSingleTimer(
            "approval/" + approval.id(),
            new ApprovalDeadlinePassed(approval.id()),
            until(approval.expiresAt()));
      }
    }
  }

  private Duration bounded(Duration limit, Turn turn) {
    if (turn.deadline() == null) {
      return limit;
    }
    Duration left = until(turn.deadline());
    return left.compareTo(limit) < 0 ? left : limit;
  }

  private Duration until(Instant when) {
    Duration d = Duration.between(runtime.clock().instant(), when);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
