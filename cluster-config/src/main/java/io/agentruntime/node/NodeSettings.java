package io.agentruntime.node;

import com.typesafe.config.Config;
import java.util.Arrays;
import java.util.List;

/**
 * The node's own settings, read once from {@code agent-runtime.node}. Seed nodes are
 * {@code host:port} pairs of other nodes' cluster addresses; none means the node forms a cluster of
 * one by joining itself.
 */
public record NodeSettings(boolean managedCassandra, boolean migrateOnStart, List<String> seedNodes) {

  public static NodeSettings fromConfig(Config root) {
    Config c = root.getConfig("agent-runtime.node");
    return new NodeSettings(
        c.getBoolean("managed-cassandra"), c.getBoolean("migrate-on-start"), seeds(c.getString("seed-nodes")));
  }

  static List<String> seeds(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }
}
