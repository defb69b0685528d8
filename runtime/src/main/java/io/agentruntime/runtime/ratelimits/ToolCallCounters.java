package io.agentruntime.runtime.ratelimits;

import io.agentruntime.runtime.Continuations;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/** The tenants' rate-limited tools' counters, as this node reaches them (decision 0046). */
public final class ToolCallCounters {

  private final ClusterSharding sharding;
  private final Executor dispatcher;
  private final Duration askTimeout;

  private ToolCallCounters(ActorSystem<?> system, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.dispatcher = system.executionContext();
    this.askTimeout = askTimeout;
  }

  /** Starts sharding for the counter entities on this node. */
  public static ToolCallCounters start(ActorSystem<?> system, Duration askTimeout, Clock clock) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                ToolCallCounterEntity.TYPE_KEY,
                ctx -> ToolCallCounterEntity.create(ctx.getEntityId(), clock)));
    return new ToolCallCounters(system, askTimeout);
  }

  /**
   * A slot for call {@code key} of {@code tool} under {@code limit} ({@code force}: count it
   * anyway); empty: counted, the call may start; else the window it would overfill. A failed stage
   * when the counter did not answer.
   */
  public CompletionStage<Optional<RateLimitHit>> claim(
      String tenant, String tool, String key, RateLimit limit, boolean force) {
    return Continuations.on(
            dispatcher,
            sharding
                .entityRefFor(
                    ToolCallCounterEntity.TYPE_KEY, ToolCallCounterEntity.entityId(tenant, tool))
                .<ToolCallCounterEntity.Claimed>ask(
                    replyTo -> new ToolCallCounterEntity.Claim(key, limit, force, replyTo),
                    askTimeout))
        .thenApply(claimed -> Optional.ofNullable(claimed.hit()));
  }
}
