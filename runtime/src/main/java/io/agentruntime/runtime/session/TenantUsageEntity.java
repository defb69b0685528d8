package io.agentruntime.runtime.session;

import io.agentruntime.runtime.CborSerializable;
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
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One tenant's usage per month, durable: a sharded, event-sourced entity per tenant (entity id: the
 * tenant) on the sessions' journal, fed by the tenant's sessions with their cumulative usage
 * (decision 0045). It answers with the month's usage, which the nodes cache for the budget check.
 */
public final class TenantUsageEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        TenantUsageEntity.Command, TenantUsage.Counted, TenantUsage> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "TenantUsage");

  public sealed interface Command extends CborSerializable {}

  /** Counts {@code report} (if it adds anything); replies the usage of the report's month. */
  public record Count(TenantUsage.Report report, ActorRef<TenantUsage.Spent> replyTo)
      implements Command {}

  /** Replies the usage of {@code month} ({@code 2026-12}). */
  public record GetMonth(String month, ActorRef<TenantUsage.Spent> replyTo) implements Command {}

  public static Behavior<Command> create(String tenant) {
    return new TenantUsageEntity(tenant);
  }

  private TenantUsageEntity(String tenant) {
    super(
        PersistenceId.of(TYPE_KEY.name(), tenant),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
  }

  @Override
  public TenantUsage emptyState() {
    return TenantUsage.NONE;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // One event per model reply of the tenant: snapshots bound the recovery.
    return RetentionCriteria.snapshotEvery(500, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, TenantUsage.Counted, TenantUsage> commandHandler() {
    return this::onCommand;
  }

  private ReplyEffect<TenantUsage.Counted, TenantUsage> onCommand(TenantUsage s, Command cmd) {
    if (cmd instanceof Count c) {
      String month = TenantUsage.month(c.report().at());
      return s.count(c.report())
          .map(
              counted ->
                  Effect()
                      .persist(counted)
                      .thenReply(c.replyTo(), (TenantUsage next) -> next.in(month)))
          .orElseGet(() -> Effect().reply(c.replyTo(), s.in(month)));
    }
    GetMonth c = (GetMonth) cmd;
    return Effect().reply(c.replyTo(), s.in(c.month()));
  }

  @Override
  public EventHandler<TenantUsage, TenantUsage.Counted> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(TenantUsage::apply);
  }
}
