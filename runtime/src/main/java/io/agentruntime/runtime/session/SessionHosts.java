package io.agentruntime.runtime.session;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * Where sessions live, as their own replies tell it: a session entity names its node in every
 * reply, and all sessions of a shard live on the shard's node, so one entry per shard (a hundred or
 * so) is enough and the last reply of any session of the shard is the freshest word on it.
 */
final class SessionHosts {

  /** The extractor sharding uses for session entities, which are initialised without one. */
  private final ShardingMessageExtractor<ShardingEnvelope<SessionCommand>, SessionCommand> shards;

  private final Map<String, String> nodeByShard = new ConcurrentHashMap<>();

  SessionHosts(int numberOfShards) {
    this.shards = ShardingMessageExtractor.apply(numberOfShards);
  }

  /** {@code host:port} of a cluster address. */
  static String nodeName(Address address) {
    return address.getHost().orElse("local")
        + ":"
        + address.getPort().map(String::valueOf).orElse("0");
  }

  /** The reply without its {@link SessionReply.Hosted} wrapping, noting the node it names. */
  SessionReply unwrap(String entityId, SessionReply reply) {
    if (reply instanceof SessionReply.Hosted hosted) {
      nodeByShard.put(shardOf(entityId), hosted.node());
      return hosted.reply();
    }
    return reply;
  }

  Optional<String> hostOf(String entityId) {
    return Optional.ofNullable(nodeByShard.get(shardOf(entityId)));
  }

  /** The shard sharding's default message extractor puts the entity in. */
  String shardOf(String entityId) {
    return shards.shardId(entityId);
  }
}
