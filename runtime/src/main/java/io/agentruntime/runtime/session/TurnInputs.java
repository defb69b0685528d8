package io.agentruntime.runtime.session;

import io.agentruntime.runtime.session.InternalCommand.*;
import io.agentruntime.runtime.tools.ToolResult;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The internal commands that move a turn on (a model's answer or failure, a tool's result, a retry
 * or deadline due, the work resumed after recovery): each becomes the {@link Decision} the entity
 * acts on, or nothing while the session cannot take it.
 */
final class TurnInputs {

  private final ActorContext<SessionCommand> ctx;
  private final TenantCeilings ceilings;
  private final String tenant;
  private final TurnMachine machine;
  private final SessionRules rules;
  private final TurnDriver driver;
  private final Clock clock;

  TurnInputs(
      ActorContext<SessionCommand> ctx,
      TenantCeilings ceilings,
      String tenant,
      TurnMachine machine,
      SessionRules rules,
      TurnDriver driver,
      Clock clock) {
    this.ctx = ctx;
    this.ceilings = ceilings;
    this.tenant = tenant;
    this.machine = machine;
    this.rules = rules;
    this.driver = driver;
    this.clock = clock;
  }

  /** Whether {@code cmd} is a turn input, decided by {@link #decide}. */
  static boolean covers(InternalCommand cmd) {
    return cmd instanceof ModelAnswered
        || cmd instanceof ModelFailed
        || cmd instanceof ToolFinished
        || cmd instanceof RetryDue
        || cmd instanceof TurnDeadlinePassed
        || cmd instanceof BudgetReached
        || cmd instanceof RateLimitReached
        || cmd instanceof TenantMonthRead
        || cmd instanceof TenantChecked
        || cmd instanceof FiringsClear
        || cmd instanceof ApprovalDeadlinePassed
        || cmd instanceof ClientCallDeadlinePassed
        || cmd instanceof ResumeWork;
  }

  /** What a turn input ({@link #covers}) decides; empty: nothing to act on now. */
  Optional<Decision> decide(SessionState s, InternalCommand cmd) {
    Instant now = clock.instant();
    if (cmd instanceof ModelAnswered c
        && c.ceiling() == null
        && !s.suspended()
        && !driver.handingOff()) {
      // The calls it asks for are decided under the tenant's ceiling as of now: read it first. The
      // step stays in flight meanwhile, so that the model is not asked again.
      CompletionStage<TenantPolicy> ceiling = ceilings.ceiling(tenant);
      TenantPolicy known = readAlready(ceiling);
      if (known != null) {
        return decide(s, new ModelAnswered(c.turnId(), c.step(), c.reply(), known));
      }
      ctx.pipeToSelf(
          ceiling,
          (read, failure) ->
              new ModelAnswered(
                  c.turnId(), c.step(), c.reply(), read != null ? read : TenantPolicy.UNREADABLE));
      return Optional.empty();
    } else if (cmd instanceof ModelAnswered c) {
      // While suspended or handed off a model's answer is dropped: the model is asked again at
      // resume or on the next node (a model call has no side effect), and no tool call it asks
      // for is journaled as started by a session that will not start it. A tool's result is
      // journaled: its side effect happened.
      driver.landed(TurnDriver.modelKey(c.turnId(), c.step()), c);
      if (s.suspended() || driver.handingOff()) {
        return Optional.empty();
      }
      if (c.ceiling().suspended()) {
        // The tenant was suspended while the model answered (decision 0042): as for a suspended
        // session, the answer is dropped and the model asked again once the tenant is resumed.
        driver.holdForTenant();
        return Optional.empty();
      }
      // A session that a turn took past max-session-size ends the turn rather than grow further.
      Optional<Problem> full = rules.full(s);
      return Optional.of(
          full.isPresent()
              ? machine.modelFailed(
                  s, c.turnId(), c.step(), full.get().code(), full.get().message(), now)
              : machine.modelReplied(s, c.turnId(), c.step(), c.reply(), c.ceiling(), now));
    } else if (cmd instanceof ModelFailed c) {
      driver.landed(TurnDriver.modelKey(c.turnId(), c.step()), c);
      return s.suspended() || driver.handingOff()
          ? Optional.empty()
          : Optional.of(machine.modelFailed(s, c.turnId(), c.step(), c.code(), c.message(), now));
    } else if (cmd instanceof ToolFinished c) {
      driver.landed(
          TurnDriver.toolKey(c.turnId(), c.toolCallId()),
          c,
          c.result() instanceof ToolResult.Unknown);
      return Optional.of(machine.toolFinished(s, c.turnId(), c.toolCallId(), c.result(), now));
    } else if (cmd instanceof RetryDue c) {
      driver.retryDue(c.key());
      return Optional.of(Decision.none()); // acting on nothing reconciles the driver
    } else if (cmd instanceof TurnDeadlinePassed c) {
      return s.suspended()
          ? Optional.empty()
          : Optional.of(machine.turnDeadlinePassed(s, c.turnId(), now));
    } else if (cmd instanceof TenantChecked) {
      driver.tenantChecked();
      return Optional.of(Decision.none()); // acting on nothing reconciles the driver
    } else if (cmd instanceof FiringsClear c) {
      driver.firingsClear(c.turnId());
      return Optional.of(Decision.none()); // acting on nothing reconciles the driver
    } else if (cmd instanceof RateLimitReached c) {
      driver.landed(TurnDriver.toolKey(c.turnId(), c.toolCallId()), c);
      return Optional.of(
          machine.rateLimitReached(
              s, c.turnId(), c.toolCallId(), c.idempotencyKey(), c.hit(), now));
    } else if (cmd instanceof BudgetReached c) {
      return Optional.of(
          machine.budgetReached(s, c.turnId(), c.step(), Optional.ofNullable(c.tenant()), now));
    } else if (cmd instanceof TenantMonthRead c) {
      driver.tenantMonthRead(c.modelKey());
      return Optional.of(Decision.none()); // acting on nothing reconciles the driver
    } else if (cmd instanceof ApprovalDeadlinePassed c) {
      return Optional.of(machine.approvalDeadlinePassed(s, c.approvalId(), now));
    } else if (cmd instanceof ClientCallDeadlinePassed c) {
      return Optional.of(machine.clientCallDeadlinePassed(s, c.turnId(), c.toolCallId(), now));
    } else if (cmd instanceof ResumeWork) {
      Decision d = machine.recover(s, driver.recovered(), now);
      driver.resume();
      return Optional.of(d);
    }
    throw new IllegalArgumentException("not a turn input: " + cmd);
  }

  /** The ceiling, if the read has completed already (a node's fresh cache): no hop needed. */
  static TenantPolicy readAlready(CompletionStage<TenantPolicy> read) {
    CompletableFuture<TenantPolicy> f = read.toCompletableFuture();
    return f.isDone() && !f.isCompletedExceptionally() ? f.getNow(null) : null;
  }
}
