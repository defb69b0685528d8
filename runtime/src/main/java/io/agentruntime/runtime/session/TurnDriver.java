package io.agentruntime.runtime.session;

import io.agentruntime.runtime.model.ModelClient;
import io.agentruntime.runtime.model.ModelException;
import io.agentruntime.runtime.model.ModelMessage;
import io.agentruntime.runtime.model.ModelReply;
import io.agentruntime.runtime.model.ModelRequest;
import io.agentruntime.runtime.ratelimits.RateLimitHit;
import io.agentruntime.runtime.session.InternalCommand.ApprovalDeadlinePassed;
import io.agentruntime.runtime.session.InternalCommand.ClientCallDeadlinePassed;
import io.agentruntime.runtime.session.InternalCommand.IdleCheck;
import io.agentruntime.runtime.session.InternalCommand.ModelAnswered;
import io.agentruntime.runtime.session.InternalCommand.ModelFailed;
import io.agentruntime.runtime.session.InternalCommand.ToolFinished;
import io.agentruntime.runtime.session.InternalCommand.TurnDeadlinePassed;
import io.agentruntime.runtime.tools.CredentialScope;
import io.agentruntime.runtime.tools.ToolInvocation;
import io.agentruntime.runtime.tools.ToolResult;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Acts on what the journal says must happen next: asks the model, calls tools, arms deadlines. It
 * runs after every persist and after recovery, and starts only what this actor has not started yet;
 * results come back to the entity as commands (pipeToSelf), never touching state from another
 * thread.
 *
 * <p>A failed journal write restarts the entity inside the same actor (decision 0017): Pekko
 * cancels every timer, replays the journal and keeps this object. What belongs to one incarnation
 * (armed timers, calls cut off by a stop) starts again from the journal at {@link #recovering};
 * what is true of the actor (the calls it started whose results will still come back to it, and a
 * result whose write failed) is kept, so that those results are journaled, not put in doubt.
 */
final class TurnDriver {

  private final ActorContext<SessionCommand> ctx;
  private final TimerScheduler<SessionCommand> timers;
  private final SessionRuntime runtime;
  private final String entityId;
  private final String tenant;

  /** Whether an SSE stream follows the session now: only then is a model asked to stream. */
  private final BooleanSupplier followed;

  /**
   * Model steps and tool calls this actor started whose result has not come back yet. Kept across a
   * restart in place: their results still come back to this actor.
   */
  private final Set<String> inFlight = new HashSet<>();

  /**
   * The tool result being journaled now (null when none): if its write fails, the restart in place
   * hands it to the new incarnation, which journals it again.
   */
  private InternalCommand landing;

  /**
   * Approvals whose expiry timer this incarnation armed. It grows until the next recovery, which
   * costs a few ids per approval: a timer that fires late is harmless, as the deadline's handler
   * checks that the approval is still pending.
   */
  private final Set<String> armedApprovals = new HashSet<>();

  /**
   * Tool keys whose last attempt ended with an unknown outcome: not sent again before their retry
   * timer fires, and then only if the journal still says the call runs.
   */
  private final Set<String> pausing = new HashSet<>();

  /** Pending-call keys of calls that were running when the entity last stopped. */
  private final Set<String> recovered = new HashSet<>();

  private boolean holding;

  /** The turn and deadline the turn-deadline timer was last armed for. */
  private String armedTurn;

  private Instant armedDeadline;

  /** What the model is shown, with the messages of the last call kept for the next. */
  private final ContextWindow contextWindow = new ContextWindow();

  /** Handing the session off to another node: nothing new is started (decision 0017). */
  private boolean handingOff;

  /** How often a session with work to start looks whether its suspended tenant was resumed. */
  static final Duration TENANT_CHECK = Duration.ofSeconds(1);

  /** The tenant's policy is being read for {@link #tenantSuspended} (decision 0042). */
  private boolean tenantReading;

  /** The tenant's month is being read for {@link #tenantBudget} (decision 0045). */
  private boolean monthReading;

  /** The model call (its key) for which the tenant's month was last read fresh, if any. */
  private String monthReadFreshFor;

  /** The session's cumulative usage last reported to its tenant's month (decision 0045). */
  private Usage reported;

  /** Turns a schedule's firing started, held behind the node's firings (decision 0064). */
  private final ScheduledTurns scheduled;

  TurnDriver(
      ActorContext<SessionCommand> ctx,
      TimerScheduler<SessionCommand> timers,
      SessionRuntime runtime,
      String entityId,
      String tenant,
      BooleanSupplier followed) {
    this.ctx = ctx;
    this.timers = timers;
    this.runtime = runtime;
    this.entityId = entityId;
    this.tenant = tenant;
    this.followed = followed;
    this.scheduled = new ScheduledTurns(ctx);
  }

  /** Turn {@code turnId} was opened by a schedule's firing: it goes after the node's firings. */
  void fired(String turnId) {
    scheduled.fired(turnId);
  }

  /** Turn {@code turnId} no longer waits behind the node's firings. */
  void firingsClear(String turnId) {
    scheduled.clear(turnId);
  }

  /**
   * Recovery ended: the incarnation starts from the journal. Timers are armed again (a restart in
   * place cancelled them), and the calls that were running are held back until {@link #resume()},
   * except those this actor still waits for: their results come back and are journaled. A result
   * whose write failed is delivered again.
   */
  void recovering(SessionState s) {
    armedApprovals.clear();
    pausing.clear(); // their retry timers were cancelled: recovery decides about those calls again
    recovered.clear();
    s.pendingCalls()
        .forEach(
            (key, call) -> {
              if (call.stage() == PendingCall.Stage.RUNNING && !stillComing(key)) {
                recovered.add(key);
              }
            });
    holding = !recovered.isEmpty();
    reportRecovered(s);
    if (landing != null) {
      ctx.getSelf().tell(landing);
      landing = null;
    }
  }

  /** Whether the result of the call with pending-call key {@code key} will still come back. */
  private boolean stillComing(String key) {
    String toolKey = "tool/" + key;
    return inFlight.contains(toolKey)
        || (landing instanceof ToolFinished f
            && toolKey(f.turnId(), f.toolCallId()).equals(toolKey));
  }

  Set<String> recovered() {
    return Set.copyOf(recovered);
  }

  void resume() {
    recovered.clear();
    holding = false;
  }

  void reconcile(SessionState s) {
    landing = null; // whatever result was being journaled, its write is done
    report(s);
    Optional<Turn> active = s.activeTurn();
    active.ifPresentOrElse(turn -> drive(s, turn), () -> timers.cancel("turn-deadline"));
    armApprovals(s);
    if (active.isEmpty() && s.nextQueuedTurn().isEmpty()) {
      timers.startSingleTimer("idle", new IdleCheck(), runtime.turns().idleTimeout());
    } else {
      timers.cancel("idle");
    }
    if (handingOff && !toolsInFlight()) {
      ctx.getSelf().tell(new InternalCommand.HandOff()); // the last call in flight has landed
    }
  }

  /**
   * {@code result} came back: the work it stood for is no longer in flight, and a tool's result is
   * being journaled (a model's answer whose write fails is asked for again: it has no side effect).
   */
  void landed(String key, InternalCommand result) {
    inFlight.remove(key);
    landing = result instanceof ToolFinished ? result : null;
  }

  /**
   * The session is being handed off to another node: from now on nothing new is started. Returns
   * whether tool calls are still in flight (their results are journaled as they land).
   */
  boolean handOff() {
    handingOff = true;
    return toolsInFlight();
  }

  boolean handingOff() {
    return handingOff;
  }

  /** Whether tool calls this actor started have not come back yet. */
  boolean toolsInFlight() {
    return inFlight.stream().anyMatch(k -> k.startsWith("tool/"));
  }

  /**
   * A tool's result came back; {@code unknown}: without an outcome. If the call is to be sent again
   * (an idempotent one), that waits for {@link #retryDue}, after the retry pause.
   */
  void landed(String key, InternalCommand result, boolean unknown) {
    landed(key, result);
    if (unknown && pausing.add(key)) {
      timers.startSingleTimer(
          "retry/" + key, new InternalCommand.RetryDue(key), runtime.turns().toolRetryDelay());
    }
  }

  /** The retry pause of {@code key} is over: the next reconcile sends it, if it still runs. */
  void retryDue(String key) {
    pausing.remove(key);
  }

  static String modelKey(String turnId, int step) {
    return "model/" + turnId + "/" + step;
  }

  static String toolKey(String turnId, String toolCallId) {
    return "tool/" + SessionState.callKey(turnId, toolCallId);
  }

  private void drive(SessionState s, Turn turn) {
    if (s.suspended()) {
      // Frozen: the budget does not run (the deadline moves on at resume) and nothing is called.
      timers.cancel("turn-deadline");
      return;
    }
    if (handingOff) {
      return; // the node that takes the session over goes on from the journal
    }
    if (hasWorkToStart(s, turn) && tenantSuspended()) {
      return; // an operator stopped the tenant (decision 0042): nothing starts until resumed
    }
    if (turn.status() == TurnStatus.RUNNING && turn.deadline() != null) {
      armDeadline(turn);
    } else {
      timers.cancel("turn-deadline");
    }
    if (turn.status() == TurnStatus.RUNNING
        && turn.deadline() != null
        && until(turn.deadline()).isZero()) {
      // Nothing starts after the deadline (a zero budget is zero, not a default timeout): its
      // timer, armed above, ends the turn.
      return;
    }
    if (s.awaitsModel(turn)) {
      int step = turn.steps() + 1;
      String key = modelKey(turn.id(), step);
      if (Budgets.exceeded(s).isPresent()) {
        // No model call starts past a budget: the machine pauses the turn for an approver.
        ctx.getSelf().tell(new InternalCommand.BudgetReached(turn.id(), step));
      } else if (!inFlight.contains(key)) {
        Optional<Optional<Budgets.Exceeded>> tenantSpent =
            step == 1 && scheduled.holds(turn.id()) ? Optional.empty() : tenantBudget(key);
        if (tenantSpent.isEmpty()) {
          // Held behind the node's firings (FiringsClear brings the next reconcile), or
          // the tenant's month is being read (TenantMonthRead brings it).
        } else if (tenantSpent.get().isPresent()) {
          ctx.getSelf()
              .tell(new InternalCommand.BudgetReached(turn.id(), step, tenantSpent.get().get()));
        } else if (inFlight.add(key)) {
          callModel(s, turn, step);
        }
      }
    }
    for (PendingCall call : s.pendingCallsOf(turn.id())) {
      boolean heldBack =
          holding && recovered.contains(SessionState.callKey(turn.id(), call.toolCallId()));
      String key = toolKey(turn.id(), call.toolCallId());
      if (call.stage() == PendingCall.Stage.RUNNING
          && !heldBack
          && !pausing.contains(key)
          && inFlight.add(key)) {
        callTool(s, turn, call);
      }
    }
  }

  /** Whether {@link #drive} would start a model or tool call now. */
  private boolean hasWorkToStart(SessionState s, Turn turn) {
    if (s.awaitsModel(turn) && !inFlight.contains(modelKey(turn.id(), turn.steps() + 1))) {
      return true;
    }
    return s.pendingCallsOf(turn.id()).stream()
        .anyMatch(
            c ->
                c.stage() == PendingCall.Stage.RUNNING
                    && !inFlight.contains(toolKey(turn.id(), c.toolCallId())));
  }

  /**
   * Whether the tenant is suspended as this node knows it (at most the ceiling refresh old,
   * decision 0042): then nothing starts, and the session looks again every {@link #TENANT_CHECK}. A
   * policy not read yet holds the work until it is ({@link InternalCommand.TenantChecked}); one
   * that cannot be read holds nothing, as before the switch.
   */
  private boolean tenantSuspended() {
    CompletableFuture<TenantPolicy> read = runtime.ceilings().ceiling(tenant).toCompletableFuture();
    if (!read.isDone()) {
      if (!tenantReading) {
        tenantReading = true;
        ctx.pipeToSelf(read, (policy, failure) -> new InternalCommand.TenantChecked());
      }
      return true;
    }
    if (read.isCompletedExceptionally() || !read.join().suspended()) {
      return false;
    }
    holdForTenant();
    return true;
  }

  /**
   * Whether the model call {@code key} would start past the tenant's monthly budget (decision
   * 0045), as this node knows the tenant's month: empty while it is read (then {@link
   * InternalCommand.TenantMonthRead} comes back). A budget spent in the cache is read again fresh
   * before the turn pauses, so that a raise made through another node, or a cache older than the
   * month, never pauses a turn; a month that cannot be read holds nothing, as for the suspension.
   */
  private Optional<Optional<Budgets.Exceeded>> tenantBudget(String key) {
    CompletableFuture<TenantMonth> read =
        runtime.ceilings().month(tenant, false).toCompletableFuture();
    if (!read.isDone()) {
      readMonth(read, null);
      return Optional.empty();
    }
    if (read.isCompletedExceptionally()) {
      return Optional.of(Optional.empty());
    }
    Optional<Budgets.Exceeded> spent = Budgets.exceeded(read.join());
    if (spent.isEmpty() || key.equals(monthReadFreshFor)) {
      monthReadFreshFor = null;
      return Optional.of(spent);
    }
    readMonth(runtime.ceilings().month(tenant, true), key);
    return Optional.empty();
  }

  private void readMonth(CompletionStage<TenantMonth> read, String freshFor) {
    if (!monthReading) {
      monthReading = true;
      ctx.pipeToSelf(read, (month, failure) -> new InternalCommand.TenantMonthRead(freshFor));
    }
  }

  /** A read of the tenant's month came back: fresh for model call {@code freshFor}, if not null. */
  void tenantMonthRead(String freshFor) {
    monthReading = false;
    monthReadFreshFor = freshFor;
  }

  /**
   * The session recovered: its usage is reported again, so that a report lost with a node (killed
   * after the reply was journaled) is counted now. A session created this month spent all of it
   * this month; an older one counts from what its tenant's month has already counted of it.
   */
  private void reportRecovered(SessionState s) {
    Usage now = s.usage();
    reported = now;
    if (!s.exists() || now.equals(Usage.NONE)) {
      return;
    }
    Instant at = runtime.clock().instant();
    boolean thisMonth =
        s.createdAt() != null && TenantUsage.month(s.createdAt()).equals(TenantUsage.month(at));
    runtime
        .ceilings()
        .counted(tenant, new TenantUsage.Report(entityId, thisMonth ? Usage.NONE : now, now, at));
  }

  /** A model reply was journaled: the session's cumulative usage goes to its tenant's month. */
  private void report(SessionState s) {
    Usage now = s.usage();
    if (reported == null) {
      reported = now;
    } else if (!now.equals(reported)) {
      runtime
          .ceilings()
          .counted(
              tenant, new TenantUsage.Report(entityId, reported, now, runtime.clock().instant()));
      reported = now;
    }
  }

  /** The tenant is suspended: look again in a while (the next reconcile starts what is due). */
  void holdForTenant() {
    if (!timers.isTimerActive("tenant-check")) {
      timers.startSingleTimer("tenant-check", new InternalCommand.TenantChecked(), TENANT_CHECK);
    }
  }

  /** A look at the tenant's policy came back: the next reconcile decides with it. */
  void tenantChecked() {
    tenantReading = false;
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
    List<ModelMessage> messages = contextWindow.messages(s, runtime.turns().contextTurns());
    Duration timeout = bounded(runtime.turns().modelTimeout(), turn);
    long asked = System.nanoTime();
    // Deltas are asked for only while someone follows the session live: a stream costs the model,
    // the connection and this actor a message per piece, for nobody otherwise. A follower who
    // comes mid-step sees the step's reply as one event.
    Consumer<String> onDelta =
        followed.getAsBoolean()
            ? delta -> ctx.getSelf().tell(new InternalCommand.PublishDelta(turn.id(), delta))
            : null;
    // The model is offered the tools neither the policy nor the tenant's ceiling denies (the
    // state is immutable, so the specs may be made off the actor once the ceiling is read).
    CompletionStage<ModelReply> answer =
        runtime
            .ceilings()
            .ceiling(tenant)
            .exceptionally(unreadable -> TenantPolicy.UNREADABLE)
            .thenCompose(
                ceiling ->
                    client
                        .get()
                        .complete(
                            new ModelRequest(
                                s.agent().instructions(),
                                messages,
                                ToolCatalog.specs(s, ceiling),
                                timeout),
                            onDelta));
    ctx.pipeToSelf(
        answer,
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

  /** The vaults whose credentials the session's calls may use, as its owner (decision 0029). */
  private static CredentialScope credentials(SessionState s) {
    if (s.owner() == null || s.createdWith() == null || s.createdWith().vaultIds().isEmpty()) {
      return CredentialScope.NONE;
    }
    return new CredentialScope(s.owner().user(), s.createdWith().vaultIds());
  }

  private void callTool(SessionState s, Turn turn, PendingCall call) {
    // The connection as journaled when the call started; calls journaled before that was, the
    // connection of that name now.
    Optional<ToolCatalog.Target> target = ToolCatalog.resolve(s, call.tool(), call.definition());
    if (target.isEmpty() || target.get().builtIn()) {
      ctx.getSelf()
          .tell(
              new ToolFinished(
                  turn.id(),
                  call.toolCallId(),
                  new ToolResult.Failed(
                      "tool_disconnected", "the tool " + call.tool() + " is no longer connected")));
      return;
    } else if (target.get().wakesUp()) {
      wakeUp(s, turn, call);
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
            bounded(runtime.turns().toolTimeout(), turn),
            credentials(s),
            null);
    // A call of a rate-limited tool takes a slot of its tenant's count first (decision 0046); over
    // the limit it is not sent, and the machine holds it for a human. Keyed by the call, so a retry
    // or a recovery is counted once; a tool without a limit is sent at once (the ceiling is
    // cached).
    String callKey = entityId + "/" + SessionState.callKey(turn.id(), call.toolCallId());
    AtomicLong sentAt = new AtomicLong();
    CompletionStage<Object> sent =
        runtime
            .ceilings()
            .slot(tenant, call.tool(), callKey, () -> approvedOverLimit(s, call))
            .thenCompose(
                hit -> {
                  if (hit.isPresent()) {
                    return CompletableFuture.completedFuture(hit.get());
                  }
                  sentAt.set(System.nanoTime()); // the tool's latency, without the count's
                  return runtime.tools().call(invocation).thenApply(r -> (Object) r);
                });
    ctx.pipeToSelf(
        sent,
        (sentOrHeld, failure) -> {
          if (sentOrHeld instanceof RateLimitHit hit) {
            return new InternalCommand.RateLimitReached(
                turn.id(), call.toolCallId(), call.idempotencyKey(), hit);
          }
          ToolResult result = (ToolResult) sentOrHeld;
          ToolResult outcome =
              StorableReplies.tool(
                  failure == null
                      ? result
                      : new ToolResult.Failed("tool_error", String.valueOf(failure.getMessage())));
          runtime
              .metrics()
              .toolCallReturned(
                  outcome instanceof ToolResult.Succeeded
                      ? "succeeded"
                      : outcome instanceof ToolResult.Failed ? "failed" : "unknown",
                  System.nanoTime() - sentAt.get());
          return new ToolFinished(turn.id(), call.toolCallId(), outcome);
        });
  }

  /** Whether a human approved {@code call} over its tool's rate limit: it runs, counted anyway. */
  private static boolean approvedOverLimit(SessionState s, PendingCall call) {
    return s.approvals().values().stream()
        .anyMatch(
            a ->
                Approval.RATE_LIMIT.equals(a.reason())
                    && "granted".equals(a.status())
                    && call.turnId().equals(a.turnId())
                    && call.toolCallId().equals(a.toolCallId()));
  }

  /** Sets the schedule a {@code schedule_wakeup} call asks for, on the session's schedules. */
  private void wakeUp(SessionState s, Turn turn, PendingCall call) {
    ctx.pipeToSelf(
        ClusterSharding.get(ctx.getSystem())
            .entityRefFor(ScheduleEntity.TYPE_KEY, entityId)
            .<ScheduleEntity.Reply>ask(
                replyTo ->
                    new ScheduleEntity.Create(
                        ScheduleWakeup.request(call.arguments()),
                        new Caller(s.owner().user(), false),
                        ScheduleWakeup.scheduleId(turn.id(), call.toolCallId()),
                        replyTo),
                runtime.settings().askTimeout()),
        (reply, failure) ->
            new ToolFinished(turn.id(), call.toolCallId(), ScheduleWakeup.result(reply, failure)));
  }

  /**
   * Arms the turn's deadline unless the timer already runs for this turn and this deadline (every
   * journal write of a turn comes here: re-arming each time would cancel and schedule for nothing).
   */
  private void armDeadline(Turn turn) {
    if (timers.isTimerActive("turn-deadline")
        && turn.id().equals(armedTurn)
        && turn.deadline().equals(armedDeadline)) {
      return;
    }
    armedTurn = turn.id();
    armedDeadline = turn.deadline();
    timers.startSingleTimer(
        "turn-deadline", new TurnDeadlinePassed(turn.id()), until(turn.deadline()));
  }

  /** Arms the deadlines of approvals and of calls that wait for the client, once each. */
  private void armApprovals(SessionState s) {
    for (Approval approval : s.pendingApprovals()) {
      if (armedApprovals.add(approval.id())) {
        timers.startSingleTimer(
            "approval/" + approval.id(),
            new ApprovalDeadlinePassed(approval.id()),
            until(approval.expiresAt()));
      }
    }
    for (ClientCall call : s.pendingClientCalls()) {
      String key = "client/" + SessionState.callKey(call.turnId(), call.callId());
      if (call.expiresAt() != null && armedApprovals.add(key)) {
        timers.startSingleTimer(
            key,
            new ClientCallDeadlinePassed(call.turnId(), call.callId()),
            until(call.expiresAt()));
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
