package io.agentruntime.node;

import io.agentruntime.runtime.session.SessionEntity;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** What the node's shard region hosts right now. */
final class ShardState {

  private ShardState() {}

  static boolean hostsEntity(ActorSystem<?> system, String entityId) throws Exception {
    CurrentShardRegionState state =
        AskPattern.<ClusterShardingQuery, CurrentShardRegionState>ask(
                ClusterSharding.get(system).shardState(),
                replyTo -> new GetShardRegionState(SessionEntity.TYPE_KEY, replyTo),
                Duration.ofSeconds(5),
                system.scheduler())
            .toCompletableFuture()
            .get();
    return state.getShards().stream().anyMatch(s -> s.getEntityIds().contains(entityId));
  }

  /** Waits until the entity has passivated (is hosted nowhere on this node). */
  static void awaitNoEntity(ActorSystem<?> system, String entityId, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (hostsEntity(system, entityId)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(entityId + " did not passivate within " + timeout);
      }
      Thread.sleep(200);
    }
  }
}
