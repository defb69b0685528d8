package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.Test;

class NodeSettingsTest {

  @Test
  void seedNodesAreReadFromACommaSeparatedList() {
    assertEquals(
        List.of("10.0.0.1:25520", "10.0.0.2:25520"),
        NodeSettings.seeds(" 10.0.0.1:25520, ,10.0.0.2:25520 "));
    assertEquals(List.of(), NodeSettings.seeds(""));
  }

  @Test
  void theDevProfileManagesCassandraAndTheProdProfileDoesNot() {
    NodeSettings dev = NodeSettings.fromConfig(ConfigFactory.load("dev"));
    NodeSettings prod = NodeSettings.fromConfig(ConfigFactory.load("prod"));
    assertEquals(true, dev.managedCassandra());
    assertEquals(true, dev.migrateOnStart());
    assertEquals(false, prod.managedCassandra());
    assertEquals(true, ConfigFactory.load("dev").getBoolean("agent-runtime.http.dev-key-enabled"));
    assertEquals(
        false, ConfigFactory.load("prod").getBoolean("agent-runtime.http.dev-key-enabled"));
  }

  @Test
  void everyProfileReadsSessionEventsBackFromTheCassandraJournal() {
    for (String profile : new String[] {"dev", "local", "prod", "kubernetes"}) {
      assertEquals(
          "pekko.persistence.cassandra.query",
          ConfigFactory.load(profile).getString("agent-runtime.session.events.read-journal"),
          profile);
    }
  }

  @Test
  void aSeedNodeBecomesAClusterAddress() {
    assertEquals(
        new Address("pekko", "agent-runtime", "10.0.0.1", 25520),
        ClusterMembership.address("agent-runtime", "10.0.0.1:25520"));
    assertThrows(
        IllegalArgumentException.class,
        () -> ClusterMembership.address("agent-runtime", "no-port"));
  }

  @Test
  void theKubernetesProfileJoinsThroughBootstrapWithKubernetesApiDiscovery() {
    var kubernetes = ConfigFactory.load("kubernetes");
    NodeSettings settings = NodeSettings.fromConfig(kubernetes);
    assertEquals(true, settings.clusterBootstrap());
    assertEquals(false, settings.managedCassandra(), "production settings underneath");
    assertEquals(
        "kubernetes-api",
        kubernetes.getString(
            "pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
    assertEquals(
        "management",
        kubernetes.getString(
            "pekko.management.cluster.bootstrap.contact-point-discovery.port-name"));
    assertEquals(false, NodeSettings.fromConfig(ConfigFactory.load("prod")).clusterBootstrap());
  }

  @Test
  void managementAnswersOnLoopbackAndOnlyReadsUnlessAProfileOrSettingSaysOtherwise() {
    for (String name : List.of("dev", "local", "prod")) {
      Config config = profile(name, "10.1.2.3");
      assertEquals("127.0.0.1", config.getString("pekko.management.http.hostname"), name);
      assertEquals(false, NodeSettings.fromConfig(config).managementWriteRoutes(), name);
    }
    Config kubernetes = profile("kubernetes", "10.1.2.3");
    assertEquals(
        "10.1.2.3",
        kubernetes.getString("pekko.management.http.hostname"),
        "on the pod IP, where bootstrap and the probes reach it");
    assertEquals(false, NodeSettings.fromConfig(kubernetes).managementWriteRoutes());
  }

  /** A profile as the node loads it, its cluster host set as AGENT_RUNTIME_CLUSTER_HOST does. */
  private static Config profile(String name, String clusterHost) {
    return ConfigFactory.parseMap(Map.of("pekko.remote.artery.canonical.hostname", clusterHost))
        .withFallback(ConfigFactory.parseResources(name + ".conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  @Test
  void seedNodesAndBootstrapExcludeEachOther() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new NodeSettings(
                    false, false, List.of("10.0.0.1:25520"), true, false, Optional.empty()));
    assertEquals(true, e.getMessage().contains("AGENT_RUNTIME_SEED_NODES"));
  }
}
