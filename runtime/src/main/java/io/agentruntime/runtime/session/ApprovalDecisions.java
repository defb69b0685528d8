package io.agentruntime.runtime.session;

import io.agentruntime.runtime.session.InternalCommand.CeilingRead;
import io.agentruntime.runtime.session.SessionCommand.*;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * A human's decision on an approval: one that runs the call is taken under the tenant's ceiling,
 * read first (decision 0018); when the read is not done yet, it comes back as {@link CeilingRead}.
 */
final class ApprovalDecisions {

  private final ActorContext<SessionCommand> ctx;
  private final TenantCeilings ceilings;
  private final String tenant;
  private final TurnMachine machine;
  private final Clock clock;

  ApprovalDecisions(
      ActorContext<SessionCommand> ctx,
      TenantCeilings ceilings,
      String tenant,
      TurnMachine machine,
      Clock clock) {
    this.ctx = ctx;
    this.ceilings = ceilings;
    this.tenant = tenant;
    this.machine = machine;
    this.clock = clock;
  }

  /**
   * The ceiling {@code c} (asked as {@code asked}, itself or {@link Keyed}) is decided under, if
   * known now; empty: it is being read, and the decision comes back as {@link CeilingRead}, valid
   * until {@code notAfterMillis}.
   */
  Optional<TenantPolicy> ceiling(Asked asked, DecideApproval c, long notAfterMillis) {
    if (!"approve".equals(c.decision()) && !"retry".equals(c.decision())) {
      return Optional.of(TenantPolicy.NONE); // runs no call: no ceiling to check
    }
    CompletionStage<TenantPolicy> ceiling = ceilings.ceiling(tenant);
    TenantPolicy known = TurnInputs.readAlready(ceiling);
    if (known != null) {
      return Optional.of(known);
    }
    ctx.pipeToSelf(ceiling, (read, failure) -> new CeilingRead(asked, read, notAfterMillis));
    return Optional.empty();
  }

  /** Whether the asker of a decision gave up while its ceiling was read (then it is dropped). */
  boolean givenUp(CeilingRead c) {
    if (clock.millis() <= c.notAfterMillis()) {
      return false;
    }
    // As for Expiring: its asker gave up, and told its client that nothing was accepted.
    ctx.getLog().info("Dropped an approval decision its asker gave up on");
    return true;
  }

  /** The decision {@code c} under the tenant's {@code ceiling} (null: it could not be read). */
  Decision decide(SessionState s, DecideApproval c, TenantPolicy ceiling) {
    return machine.humanDecision(
        s,
        c.caller(),
        c.approvalId(),
        c.decision(),
        c.comment(),
        c.result(),
        ceiling,
        clock.instant());
  }

  /** What a decision answers, of the state it led to. */
  static SessionReply decided(SessionState next, DecideApproval c) {
    return new SessionReply.ApprovalDecided(next.approval(c.approvalId()).orElseThrow());
  }

  /** The decision inside {@code asked}, itself or {@link Keyed}. */
  static DecideApproval unkeyed(Asked asked) {
    return (DecideApproval) (asked instanceof Keyed k ? k.command() : asked);
  }
}
