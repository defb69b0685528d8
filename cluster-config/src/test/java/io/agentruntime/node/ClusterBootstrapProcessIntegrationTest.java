package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agentruntime.persistence.testing.TestCassandra;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The `kubernetes` profile's way into the cluster, outside Kubernetes: two node processes with no
 * seed nodes find each other through Pekko cluster bootstrap (its Kubernetes API discovery swapped
 * for config discovery listing their management endpoints, as pods would be listed) and form one
 * cluster; a session written through one is read through the other.
 */
class ClusterBootstrapProcessIntegrationTest {

  @TempDir Path home;
  private final List<NodeProcess> nodes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (NodeProcess node : nodes) {
      if (node.isAlive()) {
        node.terminate(Duration.ofSeconds(60));
      }
    }
  }

  @Test
  void twoNodesWithoutSeedsFormOneClusterThroughBootstrap() throws Exception {
    Path keys = TestKeysFile.write(home);
    String keyspace = TestCassandra.uniqueKeyspaceName("bootstrap_it");
    int[] management = {NodeProcess.freePort(), NodeProcess.freePort()};
    List<String> discovery = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      discovery.add(
          "-Dpekko.discovery.config.services.agent-runtime.endpoints." + i + ".host=127.0.0.1");
      discovery.add(
          "-Dpekko.discovery.config.services.agent-runtime.endpoints."
              + i
              + ".port="
              + management[i]);
    }
    for (int i = 0; i < 2; i++) {
      List<String> properties = new ArrayList<>(discovery);
      properties.add("-Dagent-runtime.cassandra.keyspace=" + keyspace);
      nodes.add(
          NodeProcess.start(
              "node",
              home.resolve("node" + i),
              Map.of(
                  "AGENT_RUNTIME_PROFILE", "kubernetes",
                  "AGENT_RUNTIME_DISCOVERY_METHOD", "config",
                  "AGENT_RUNTIME_REQUIRED_CONTACT_POINTS", "2",
                  "AGENT_RUNTIME_MANAGEMENT_PORT", Integer.toString(management[i]),
                  "AGENT_RUNTIME_CASSANDRA_CONTACT_POINTS", TestCassandra.get().contactPoint(),
                  "AGENT_RUNTIME_KEYS_FILE", keys.toString(),
                  "AGENT_RUNTIME_MIGRATE_ON_START", Boolean.toString(i == 0)),
              properties,
              ":" + System.getProperty("agent-runtime.node.kubernetes-lib-dir") + "/*"));
    }
    for (NodeProcess node : nodes) {
      node.awaitReady(Duration.ofSeconds(90));
    }

    for (NodeProcess node : nodes) {
      String members =
          new HttpClientSupport(node.managementUrl(), null).get("/cluster/members").body();
      assertEquals(
          2, members.split("\"status\":\"Up\"", -1).length - 1, "one cluster of two: " + members);
    }
    HttpClientSupport first = new HttpClientSupport(nodes.get(0).baseUrl(), TestKeysFile.ADA);
    HttpClientSupport second = new HttpClientSupport(nodes.get(1).baseUrl(), TestKeysFile.ADA);
    assertEquals(
        201, first.put("/v1/sessions/boot", "{\"memory\": {\"via\": \"first\"}}").statusCode());
    assertEquals(first.get("/v1/sessions/boot").body(), second.get("/v1/sessions/boot").body());
  }
}
