package io.agentruntime.runtime.vault;

import java.time.Clock;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One tenant's vaults, durable: a sharded, event-sourced entity per tenant (entity id: the tenant)
 * on the sessions' journal, whose events hold secrets only sealed (decision 0029). The rules are
 * {@link VaultRules}'; this shell persists and replies.
 */
public final class VaultEntity
    extends EventSourcedBehaviorWithEnforcedReplies<VaultCommand, VaultEvent, TenantVaults> {

  public static final EntityTypeKey<VaultCommand> TYPE_KEY =
      EntityTypeKey.create(VaultCommand.class, "TenantVaults");

  private final Clock clock;
  private final VaultRules.Limits limits;

  public static Behavior<VaultCommand> create(
      String tenant, VaultRules.Limits limits, Clock clock) {
    return new VaultEntity(tenant, limits, clock);
  }

  private VaultEntity(String tenant, VaultRules.Limits limits, Clock clock) {
    super(
        PersistenceId.of(TYPE_KEY.name(), tenant),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.clock = clock;
    this.limits = limits;
  }

  @Override
  public TenantVaults emptyState() {
    return TenantVaults.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<VaultCommand, VaultEvent, TenantVaults> commandHandler() {
    return this::onCommand;
  }

  private ReplyEffect<VaultEvent, TenantVaults> onCommand(TenantVaults s, VaultCommand command) {
    VaultRules.Decision decision = VaultRules.decide(s, command, limits, clock.instant());
    if (decision.refused() != null) {
      return Effect().reply(command.replyTo(), VaultReply.of(decision.refused()));
    }
    if (decision.event() == null) {
      return Effect().reply(command.replyTo(), VaultRules.reply(s, command));
    }
    return Effect()
        .persist(decision.event())
        .thenReply(command.replyTo(), next -> VaultRules.reply(next, command));
  }

  @Override
  public EventHandler<TenantVaults, VaultEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(TenantVaults::apply);
  }

  /** Recovery reads a snapshot and at most this many events after it. */
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
