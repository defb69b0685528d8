package io.agentruntime.node;

import com.typesafe.config.Config;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The node's own settings, read once from {@code agent-runtime.node}. Seed nodes are {@code
 * host:port} pairs of other nodes' cluster addresses; none means the node forms a cluster of one by
 * joining itself, unless {@code clusterBootstrap}: then Pekko's cluster bootstrap finds the other
 * nodes through service discovery (Kubernetes API in the {@code kubernetes} profile). Pekko
 * Management offers leave and down only with {@code managementWriteRoutes}. With {@code remoteTls}
 * the nodes talk to each other over TLS with mutual authentication.
 */
public record NodeSettings(
    boolean managedCassandra,
    boolean migrateOnStart,
    List<String> seedNodes,
    boolean clusterBootstrap,
    boolean managementWriteRoutes,
    Optional<RemoteTls> remoteTls) {

  public NodeSettings {
    if (clusterBootstrap && !seedNodes.isEmpty()) {
      throw new IllegalArgumentException(
          "seed nodes and cluster bootstrap exclude each other: unset AGENT_RUNTIME_SEED_NODES");
    }
  }

  public static NodeSettings fromConfig(Config root) {
    Config c = root.getConfig("agent-runtime.node");
    return new NodeSettings(
        c.getBoolean("managed-cassandra"),
        c.getBoolean("migrate-on-start"),
        seeds(c.getString("seed-nodes")),
        c.getBoolean("cluster-bootstrap"),
        c.getBoolean("management-write-routes"),
        RemoteTls.fromConfig(root));
  }

  static List<String> seeds(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }
}
