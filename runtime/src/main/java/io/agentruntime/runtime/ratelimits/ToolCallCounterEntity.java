package io.agentruntime.runtime.ratelimits;

import io.agentruntime.runtime.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * The calls one tenant's sessions started of one rate-limited tool, on every node: a sharded,
 * event-sourced entity per tenant and tool (entity id {@code tool@tenant}), which grants a call a
 * slot under the limit or says which window is full (decision 0046). A slot is keyed by the call,
 * so a call asking again (a retry, a recovery) is counted once.
 */
public final class ToolCallCounterEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        ToolCallCounterEntity.Command, ToolCallCounted, ToolCallCounts> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "ToolCallCounter");

  public sealed interface Command extends CborSerializable {}

  /**
   * Asks a slot for call {@code key} under {@code limit}; {@code force}: the call runs anyway (a
   * human approved it over the limit), count it. Replies {@link Claimed}.
   */
  public record Claim(String key, RateLimit limit, boolean force, ActorRef<Claimed> replyTo)
      implements Command {}

  /** {@code hit} null: the call has its slot (counted); else the window it would overfill. */
  public record Claimed(RateLimitHit hit) implements CborSerializable {}

  /** The entity id of {@code tool}'s counter in {@code tenant} (tool names hold no {@code @}). */
  public static String entityId(String tenant, String tool) {
    return tool + "@" + tenant;
  }

  public static Behavior<Command> create(String entityId, Clock clock) {
    return new ToolCallCounterEntity(entityId, clock);
  }

  private final Clock clock;

  private ToolCallCounterEntity(String entityId, Clock clock) {
    super(
        PersistenceId.of(TYPE_KEY.name(), entityId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.clock = clock;
  }

  @Override
  public ToolCallCounts emptyState() {
    return ToolCallCounts.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, ToolCallCounted, ToolCallCounts> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Claim.class, this::onClaim)
        .build();
  }

  private ReplyEffect<ToolCallCounted, ToolCallCounts> onClaim(ToolCallCounts s, Claim c) {
    if (s.started().containsKey(c.key())) {
      return Effect().reply(c.replyTo(), new Claimed(null)); // counted already
    }
    Instant now = clock.instant();
    Optional<RateLimitHit> hit =
        c.force() ? Optional.empty() : RateWindows.over(c.limit(), s.started().values(), now);
    if (hit.isPresent()) {
      return Effect().reply(c.replyTo(), new Claimed(hit.get()));
    }
    return Effect()
        .persist(new ToolCallCounted(c.key(), now))
        .thenReply(c.replyTo(), counted -> new Claimed(null));
  }

  @Override
  public EventHandler<ToolCallCounts, ToolCallCounted> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(ToolCallCounts::plus);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Recovery reads a snapshot and at most 100 events, however busy the tool is.
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
