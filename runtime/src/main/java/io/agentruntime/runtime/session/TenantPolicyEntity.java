package io.agentruntime.runtime.session;

import io.agentruntime.runtime.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * One tenant's policy, durable: a sharded, event-sourced entity per tenant (entity id: the tenant)
 * on the sessions' journal (decision 0018). Who may change it is checked before (by {@link
 * TenantPolicies}); the entity only keeps it.
 */
public final class TenantPolicyEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        TenantPolicyEntity.Command, TenantPolicyChanged, TenantPolicy> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "TenantPolicy");

  public sealed interface Command extends CborSerializable {}

  /** Replies the tenant's policy ({@link TenantPolicy#NONE} when none was set). */
  public record Get(ActorRef<TenantPolicy> replyTo) implements Command {}

  /** Replaces the tenant's policy; replies it once journaled. */
  public record Replace(TenantPolicy policy, String by, ActorRef<TenantPolicy> replyTo)
      implements Command {}

  /**
   * Suspends ({@code suspended} true) or resumes the tenant, its tools ceiling unchanged; replies
   * the policy once journaled (decision 0042).
   */
  public record SetSuspended(boolean suspended, String by, ActorRef<TenantPolicy> replyTo)
      implements Command {}

  /**
   * Raises the tenant's monthly budget {@code budget} to at least {@code value} (an operator's
   * approval of a tenant budget pause, decision 0045), the rest unchanged; replies the policy once
   * journaled.
   */
  public record RaiseBudget(
      String budget, java.math.BigDecimal value, String by, ActorRef<TenantPolicy> replyTo)
      implements Command {}

  public static Behavior<Command> create(String tenant, Clock clock) {
    return new TenantPolicyEntity(tenant, clock);
  }

  private final Clock clock;

  private TenantPolicyEntity(String tenant, Clock clock) {
    super(
        PersistenceId.of(TYPE_KEY.name(), tenant),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.clock = clock;
  }

  @Override
  public TenantPolicy emptyState() {
    return TenantPolicy.NONE;
  }

  @Override
  public CommandHandlerWithReply<Command, TenantPolicyChanged, TenantPolicy> commandHandler() {
    return this::onCommand;
  }

  private ReplyEffect<TenantPolicyChanged, TenantPolicy> onCommand(TenantPolicy s, Command cmd) {
    if (cmd instanceof Replace c) {
      // A replacement of the tools ceiling leaves a suspension as it is: only resume ends it.
      return change(s, c.policy().withSuspended(s.suspended()), c.by(), c.replyTo());
    }
    if (cmd instanceof SetSuspended c) {
      return change(s, s.withSuspended(c.suspended()), c.by(), c.replyTo());
    }
    if (cmd instanceof RaiseBudget c) {
      return change(
          s, s.withBudgets(s.budgets().raised(c.budget(), c.value())), c.by(), c.replyTo());
    }
    Get c = (Get) cmd;
    return Effect().reply(c.replyTo(), s);
  }

  private ReplyEffect<TenantPolicyChanged, TenantPolicy> change(
      TenantPolicy s, TenantPolicy next, String by, ActorRef<TenantPolicy> replyTo) {
    if (next.equals(s)) {
      return Effect().reply(replyTo, s);
    }
    return Effect()
        .persist(new TenantPolicyChanged(next, by, clock.instant()))
        .thenReply(replyTo, written -> written);
  }

  @Override
  public EventHandler<TenantPolicy, TenantPolicyChanged> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> event.policy());
  }
}
