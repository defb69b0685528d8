package io.agentruntime.runtime.session;

import io.agentruntime.runtime.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

  /**
   * Counts {@code reports} (what each adds, in order), journaled in one write; replies the usage of
   * the month of the last one. A node sends the reports of a tenant that came while its previous
   * {@code Count} was on the way as one (decision 0045).
   */
  public record Count(List<TenantUsage.Report> reports, ActorRef<TenantUsage.Spent> replyTo)
      implements Command {
    public Count {
      reports = List.copyOf(reports);
    }
  }

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
      if (c.reports().isEmpty()) {
        return Effect().reply(c.replyTo(), s.in(TenantUsage.month(java.time.Instant.now())));
      }
      String month = TenantUsage.month(c.reports().get(c.reports().size() - 1).at());
      List<TenantUsage.Counted> events = new ArrayList<>();
      TenantUsage next = s;
      for (TenantUsage.Report r : c.reports()) {
        Optional<TenantUsage.Counted> counted = next.count(r);
        if (counted.isPresent()) {
          events.add(counted.get());
          next = next.apply(counted.get());
        }
      }
      if (events.isEmpty()) {
        return Effect().reply(c.replyTo(), s.in(month));
      }
      return Effect()
          .persist(events)
          .thenReply(c.replyTo(), (TenantUsage written) -> written.in(month));
    }
    GetMonth c = (GetMonth) cmd;
    return Effect().reply(c.replyTo(), s.in(c.month()));
  }

  @Override
  public EventHandler<TenantUsage, TenantUsage.Counted> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(TenantUsage::apply);
  }
}
