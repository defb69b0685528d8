package io.agentruntime.node;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;

/**
 * Joins the cluster through Pekko cluster bootstrap: the nodes find each other with service
 * discovery (pods by label through the Kubernetes API in the {@code kubernetes} profile), and
 * either join the cluster some of them already form, or the one with the lowest address forms it
 * once the expected number of contact points agree. Its classes come from target/lib-kubernetes:
 * this class is loaded only when {@code agent-runtime.node.cluster-bootstrap} is on.
 */
final class KubernetesBootstrap {

  private KubernetesBootstrap() {}

  static void start(ActorSystem<?> system) {
    try {
      ClusterBootstrap.get(system.classicSystem()).start();
    } catch (NoClassDefFoundError e) {
      throw new IllegalStateException(
          "cluster bootstrap is on, but its jars are not on the classpath: add cluster-config/target/lib-kubernetes/*",
          e);
    }
  }
}
