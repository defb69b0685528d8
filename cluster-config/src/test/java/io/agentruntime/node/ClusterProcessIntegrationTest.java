package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.persistence.testing.TestCassandra;
import io.agentruntime.runtime.session.SessionEntity;
import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.RecordingToolServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real node processes in one cluster on one Cassandra: any node serves any session, and
 * when the node hosting a session with a turn in flight is killed with -9, the turn completes on
 * a survivor without any client request.
 */
class ClusterProcessIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SHARDS = 100;

  @TempDir Path home;
  private final RecordingToolServer tools = RecordingToolServer.start();
  private final List<NodeProcess> nodes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (NodeProcess node : nodes) {
      if (node.isAlive()) {
        node.terminate(Duration.ofSeconds(60));
      }
    }
    tools.close();
  }

  @Test
  void anyNodeServesAnySessionAndATurnSurvivesTheLossOfItsNode() throws Exception {
    tools.script("/slow", Reply.json("{\"done\": true}").after(Duration.ofSeconds(8)), Reply.json("{\"done\": true}"));
    Path keys = TestKeysFile.write(home);
    int seedPort = NodeProcess.freePort();
    String keyspace = TestCassandra.uniqueKeyspaceName("cluster_it");
    for (int i = 0; i < 3; i++) {
      Map<String, String> env = new HashMap<>(Map.of(
          "AGENT_RUNTIME_CASSANDRA_CONTACT_POINTS", TestCassandra.get().contactPoint(),
          "AGENT_RUNTIME_KEYS_FILE", keys.toString(),
          "AGENT_RUNTIME_MIGRATE_ON_START", Boolean.toString(i == 0),
          "AGENT_RUNTIME_SEED_NODES", "127.0.0.1:" + seedPort));
      if (i == 0) {
        env.put("AGENT_RUNTIME_CLUSTER_PORT", Integer.toString(seedPort));
      }
      NodeProcess node = NodeProcess.start("node", home.resolve("node" + i), env,
          List.of("-Dagent-runtime.cassandra.keyspace=" + keyspace, "-Dagent-runtime.node-name=node" + i));
      nodes.add(node);
      node.awaitReady(Duration.ofSeconds(90));
    }
    awaitMembersUp(3);

    HttpClientSupport viaFirst = client(0);
    for (int s = 0; s < 12; s++) {
      assertEquals(201, viaFirst.put("/v1/sessions/s" + s, "{\"memory\": {\"n\": " + s + "}}").statusCode());
    }
    for (int s = 0; s < 12; s++) {
      String body = viaFirst.get("/v1/sessions/s" + s).body();
      for (int n = 1; n < 3; n++) {
        assertEquals(body, client(n).get("/v1/sessions/s" + s).body(), "node " + n + " serves session s" + s);
      }
    }
    assertTrue(hostingNodes().size() >= 2, "sessions spread over the nodes: " + hostingNodes());

    // A session hosted by a node other than the seed, with a slow idempotent tool call in flight.
    String session = null;
    int victim = -1;
    for (int s = 0; s < 12 && victim < 0; s++) {
      int host = hostOf("s" + s);
      if (host > 0) {
        session = "s" + s;
        victim = host;
      }
    }
    assertTrue(victim > 0, "a session hosted away from the seed node");
    assertEquals(200, viaFirst.put("/v1/sessions/" + session + "/tools/slow",
        "{\"kind\": \"http\", \"url\": \"" + tools.url("/slow") + "\", \"idempotent\": true}").statusCode());
    assertEquals(200, viaFirst.put("/v1/sessions/" + session + "/permissions", "{\"tools\": {\"*\": \"allow\"}}").statusCode());
    var accepted = viaFirst.post("/v1/sessions/" + session + "/messages",
        "{\"content\": \"/tool slow {}\"}");
    assertEquals(202, accepted.statusCode(), accepted.body());
    String turnId = JSON.readTree(accepted.body()).path("turnId").asText();
    assertTrue(tools.awaitCalls("/slow", 1, Duration.ofSeconds(30)));

    long killedAt = System.nanoTime();
    nodes.get(victim).kill();
    // No client request: the survivors restart the remembered session and it calls the tool again.
    assertTrue(tools.awaitCalls("/slow", 2, Duration.ofSeconds(60)), "the turn resumed on a survivor");
    long resumedMillis = (System.nanoTime() - killedAt) / 1_000_000;
    assertEquals(tools.calls("/slow").get(0).idempotencyKey(), tools.calls("/slow").get(1).idempotencyKey());

    HttpClientSupport survivor = client(0);
    JsonNode turn = JSON.readTree(survivor.get("/v1/sessions/" + session + "/turns/" + turnId + "?waitSeconds=30").body());
    assertEquals("completed", turn.path("status").asText(), turn.toString());
    long completedMillis = (System.nanoTime() - killedAt) / 1_000_000;
    System.out.printf("failover after kill -9: tool called again after %d ms, turn completed after %d ms%n",
        resumedMillis, completedMillis);
  }

  private HttpClientSupport client(int node) {
    return new HttpClientSupport(nodes.get(node).baseUrl(), TestKeysFile.ADA);
  }

  private void awaitMembersUp(int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String members = new HttpClientSupport(nodes.get(0).managementUrl(), null).get("/cluster/members").body();
      if (members.split("\"status\":\"Up\"", -1).length - 1 == count) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the cluster did not reach " + count + " Up members");
  }

  /** Which node's shard region holds the session's shard (read from each node's management). */
  private int hostOf(String sessionId) throws Exception {
    String shard = Integer.toString(Math.abs(SessionEntity.entityId("acme", sessionId).hashCode() % SHARDS));
    for (int n = 0; n < nodes.size(); n++) {
      if (nodes.get(n).isAlive() && shardsOf(n).contains(shard)) {
        return n;
      }
    }
    return -1;
  }

  private List<Integer> hostingNodes() throws Exception {
    List<Integer> hosting = new ArrayList<>();
    for (int n = 0; n < nodes.size(); n++) {
      if (!shardsOf(n).isEmpty()) {
        hosting.add(n);
      }
    }
    return hosting;
  }

  private List<String> shardsOf(int node) throws Exception {
    JsonNode regions = JSON.readTree(
        new HttpClientSupport(nodes.get(node).managementUrl(), null).get("/cluster/shards/Session").body()).path("regions");
    List<String> shards = new ArrayList<>();
    regions.forEach(r -> shards.add(r.path("shardId").asText()));
    return shards;
  }
}
