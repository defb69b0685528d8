package io.agentruntime.node;

import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;

/** How a node enters the cluster: through its seed nodes, or alone. */
final class ClusterMembership {

  private ClusterMembership() {}

  static void join(ActorSystem<?> system, List<String> seedNodes) {
    Cluster cluster = Cluster.get(system);
    if (seedNodes.isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      return;
    }
    List<Address> seeds = seedNodes.stream().map(s -> address(system.name(), s)).toList();
    cluster.manager().tell(new JoinSeedNodes(seeds));
  }

  static Address address(String systemName, String hostAndPort) {
    int colon = hostAndPort.lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("a seed node must be host:port, not " + hostAndPort);
    }
    return new Address(
        "pekko",
        systemName,
        hostAndPort.substring(0, colon),
        Integer.parseInt(hostAndPort.substring(colon + 1)));
  }
}
