package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.persistence.testing.TestCassandra;
import io.agentruntime.runtime.session.SessionEntity;
import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.RecordingToolServer.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real node processes in one cluster on one Cassandra, through the life of a cluster: any node
 * serves any session and names its host; the node hosting turns in flight is killed with -9 and
 * the turns complete on the survivors without a client request; a fourth node joins and takes
 * shards while a client writes; a node leaves gracefully while the client writes. The client
 * retries on 503 and never fails for good, no acknowledged write is lost, and no session's
 * journal ever had two live writers.
 */
class ClusterProcessIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SHARDS = 100;
  private static final List<String> SESSIONS = IntStream.range(0, 24).mapToObj(i -> "s" + i).toList();

  @TempDir Path home;
  private final RecordingToolServer tools = RecordingToolServer.start();
  private final List<NodeProcess> nodes = new ArrayList<>();
  /** The nodes a load balancer would send to: ready once, and still alive. */
  private final List<NodeProcess> serving = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final String keyspace = TestCassandra.uniqueKeyspaceName("cluster_it");
  private Path keys;
  private int seedPort;

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
  void sessionsSurviveACrashAScaleOutAndAGracefulLeave() throws Exception {
    keys = TestKeysFile.write(home);
    seedPort = NodeProcess.freePort();
    for (int i = 0; i < 3; i++) {
      startNode(i);
    }
    awaitMembersUp(3);

    anyNodeServesAnySessionAndNamesItsHost();
    turnsInFlightCompleteAfterTheirNodeIsKilled();

    try (SteadyTraffic traffic = SteadyTraffic.start(SESSIONS, this::servingUrls, TestKeysFile.ADA)) {
      Thread.sleep(2_000);
      System.out.println("CLUSTER steady traffic before scale-out: " + traffic.takeSummary());

      aFourthNodeTakesShardsUnderTraffic(traffic);
      aNodeLeavesGracefullyUnderTraffic(traffic);
      traffic.close();

      HttpClientSupport reader = client(0);
      for (Map.Entry<String, Integer> ack : traffic.acknowledged().entrySet()) {
        JsonNode session = JSON.readTree(reader.get("/v1/sessions/" + ack.getKey()).body());
        assertEquals(ack.getValue().intValue(), session.at("/memory/traffic").asInt(),
            "the last acknowledged write of " + ack.getKey() + " is there");
      }
    }

    for (String session : SESSIONS) {
      // Throws when a writer wrote again after another took over, or an event is missing.
      JournalWriters.runs(TestCassandra.get().session(), keyspace, "Session|" + SessionEntity.entityId("acme", session));
    }
  }

  private void anyNodeServesAnySessionAndNamesItsHost() throws Exception {
    HttpClientSupport viaFirst = client(0);
    for (String session : SESSIONS) {
      assertEquals(201, viaFirst.put("/v1/sessions/" + session,
          "{\"memory\": {\"n\": 1}, \"permissions\": {\"tools\": {\"*\": \"allow\"}}}").statusCode());
    }
    for (String session : SESSIONS) {
      HttpResponse<String> first = viaFirst.get("/v1/sessions/" + session);
      String host = nodes.get(hostOf(session)).clusterAddress();
      for (int n = 0; n < nodes.size(); n++) {
        HttpResponse<String> answer = client(n).get("/v1/sessions/" + session);
        assertEquals(first.body(), answer.body(), "node " + n + " serves session " + session);
        assertEquals(host, answer.headers().firstValue("X-Agent-Node").orElse(null),
            "node " + n + " names the host of " + session);
      }
    }
    assertTrue(hostingNodes().size() >= 2, "sessions spread over the nodes: " + hostingNodes());
  }

  /**
   * Two sessions hosted away from the seed node get a turn with a slow idempotent tool call, and
   * their node is killed: both turns complete on survivors with no client request. Returns the
   * killed node.
   */
  private int turnsInFlightCompleteAfterTheirNodeIsKilled() throws Exception {
    // The calls cut off by the crash are slow; their repetitions after it answer at once.
    Reply slow = Reply.json("{\"done\": true}").after(Duration.ofSeconds(8));
    tools.script("/slow", slow, slow, Reply.json("{\"done\": true}"));
    int victim = -1;
    List<String> onVictim = new ArrayList<>();
    for (String session : SESSIONS) {
      int host = hostOf(session);
      if (host > 0 && (victim < 0 || host == victim)) {
        victim = host;
        onVictim.add(session);
      }
    }
    assertTrue(onVictim.size() >= 3, "three sessions hosted by one node other than the seed: " + onVictim);
    List<String> turnSessions = onVictim.subList(0, 2);
    String idleSession = onVictim.get(2);

    HttpClientSupport viaFirst = client(0);
    Map<String, String> turns = new LinkedHashMap<>();
    for (String session : turnSessions) {
      assertEquals(200, viaFirst.put("/v1/sessions/" + session + "/tools/slow",
          "{\"kind\": \"http\", \"url\": \"" + tools.url("/slow") + "\", \"idempotent\": true}").statusCode());
      var accepted = viaFirst.post("/v1/sessions/" + session + "/messages", "{\"content\": \"/tool slow {}\"}");
      assertEquals(202, accepted.statusCode(), accepted.body());
      turns.put(session, JSON.readTree(accepted.body()).path("turnId").asText());
    }
    assertTrue(tools.awaitCalls("/slow", 2, Duration.ofSeconds(30)));

    long killedAt = System.nanoTime();
    nodes.get(victim).kill();

    // A client request to another session of the dead node: answered once the shard is back.
    HttpClientSupport survivor = client(0);
    long firstAnswerMillis = -1;
    while (firstAnswerMillis < 0 && System.nanoTime() - killedAt < Duration.ofSeconds(60).toNanos()) {
      if (quickGet(nodes.get(0).baseUrl(), "/v1/sessions/" + idleSession) == 200) {
        firstAnswerMillis = (System.nanoTime() - killedAt) / 1_000_000;
      } else {
        Thread.sleep(100);
      }
    }
    assertTrue(firstAnswerMillis >= 0, "a session of the killed node answers again");

    // No client request to the turns' sessions: the survivors restart them and the tool is called again.
    assertTrue(tools.awaitCalls("/slow", 4, Duration.ofSeconds(60)), "the turns resumed on a survivor");
    long resumedMillis = (System.nanoTime() - killedAt) / 1_000_000;
    for (String session : turnSessions) {
      List<String> keysOfSession = tools.calls("/slow").stream()
          .filter(c -> SessionEntity.entityId("acme", session).equals(c.session()))
          .map(RecordingToolServer.RecordedCall::idempotencyKey)
          .toList();
      assertEquals(2, keysOfSession.size(), session + " called the tool before and after the crash");
      assertEquals(keysOfSession.get(0), keysOfSession.get(1), "the same call, with the same Idempotency-Key");
    }
    long completedMillis = 0;
    for (Map.Entry<String, String> turn : turns.entrySet()) {
      HttpResponse<String> answer =
          survivor.get("/v1/sessions/" + turn.getKey() + "/turns/" + turn.getValue() + "?waitSeconds=30");
      assertEquals("completed", JSON.readTree(answer.body()).path("status").asText(), answer.body());
      assertNotEquals(nodes.get(victim).clusterAddress(), answer.headers().firstValue("X-Agent-Node").orElse(null));
      completedMillis = (System.nanoTime() - killedAt) / 1_000_000;
    }
    System.out.printf("CLUSTER failover after kill -9: first answer for an affected session %d ms, "
        + "tool called again %d ms, turns completed %d ms%n", firstAnswerMillis, resumedMillis, completedMillis);
    return victim;
  }

  private void aFourthNodeTakesShardsUnderTraffic(SteadyTraffic traffic) throws Exception {
    long started = System.nanoTime();
    NodeProcess added = startNode(nodes.size());
    int index = nodes.indexOf(added);
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (shardsOf(index).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "the new node took no shard");
      Thread.sleep(250);
    }
    long tookShardMillis = (System.nanoTime() - started) / 1_000_000;
    Thread.sleep(2_000);
    SteadyTraffic.Summary during = traffic.takeSummary();
    System.out.printf("CLUSTER scale-out: node started and took its first shards after %d ms; traffic: %s%n",
        tookShardMillis, during);
    assertEquals(0, during.failedForGood(), "no write failed for good during scale-out: " + during);
  }

  private void aNodeLeavesGracefullyUnderTraffic(SteadyTraffic traffic) throws Exception {
    int leaving = -1;
    for (int n = 1; n < nodes.size() && leaving < 0; n++) {
      if (nodes.get(n).isAlive() && !shardsOf(n).isEmpty()) {
        leaving = n;
      }
    }
    assertTrue(leaving > 0, "a node other than the seed hosts shards");
    NodeProcess node = nodes.get(leaving);
    List<String> movers = new ArrayList<>();
    for (String session : SESSIONS) {
      if (hostOf(session) == leaving) {
        movers.add(session);
      }
    }
    traffic.takeSummary();
    long leftAt = System.nanoTime();
    HttpResponse<String> leave = new HttpClientSupport(nodes.get(0).managementUrl(), null).send(
        HttpRequest.newBuilder(URI.create(nodes.get(0).managementUrl() + "/cluster/members/"
                + "pekko://" + Node.SYSTEM_NAME + "@" + node.clusterAddress()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .PUT(HttpRequest.BodyPublishers.ofString("operation=Leave")));
    assertEquals(200, leave.statusCode(), leave.body());
    int exit = node.awaitExit(Duration.ofSeconds(60));
    long exitedMillis = (System.nanoTime() - leftAt) / 1_000_000;
    assertTrue(exit == 0 || exit == 143, "the node stopped cleanly after leaving: exit " + exit);

    for (String session : movers) {
      String host = quickHost(nodes.get(0).baseUrl(), "/v1/sessions/" + session);
      assertNotEquals(node.clusterAddress(), host, session + " moved away from the node that left");
    }
    long movedMillis = (System.nanoTime() - leftAt) / 1_000_000;
    Thread.sleep(1_000);
    SteadyTraffic.Summary during = traffic.takeSummary();
    System.out.printf("CLUSTER graceful leave: node exited after %d ms, its %d sessions answered elsewhere after %d ms; traffic: %s%n",
        exitedMillis, movers.size(), movedMillis, during);
    assertEquals(0, during.failedForGood(), "no write failed for good during the leave: " + during);
  }

  private NodeProcess startNode(int index) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
        "AGENT_RUNTIME_CASSANDRA_CONTACT_POINTS", TestCassandra.get().contactPoint(),
        "AGENT_RUNTIME_KEYS_FILE", keys.toString(),
        "AGENT_RUNTIME_MIGRATE_ON_START", Boolean.toString(index == 0),
        "AGENT_RUNTIME_RATE_LIMIT", "0",
        "AGENT_RUNTIME_SEED_NODES", "127.0.0.1:" + seedPort));
    if (index == 0) {
      env.put("AGENT_RUNTIME_CLUSTER_PORT", Integer.toString(seedPort));
    }
    NodeProcess node = NodeProcess.start("node", home.resolve("node" + index), env,
        List.of("-Dagent-runtime.cassandra.keyspace=" + keyspace, "-Dagent-runtime.node-name=node" + index));
    nodes.add(node);
    node.awaitReady(Duration.ofSeconds(90));
    serving.add(node);
    return node;
  }

  /** The base URLs of the nodes that have been ready and are alive now. */
  private List<String> servingUrls() {
    return serving.stream().filter(NodeProcess::isAlive).map(NodeProcess::baseUrl).toList();
  }

  private static int quickGet(String baseUrl, String path) {
    try {
      return new HttpClientSupport(baseUrl, TestKeysFile.ADA).send(
          new HttpClientSupport(baseUrl, TestKeysFile.ADA).request(path).timeout(Duration.ofSeconds(2)).GET()).statusCode();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private static String quickHost(String baseUrl, String path) {
    HttpResponse<String> answer = new HttpClientSupport(baseUrl, TestKeysFile.ADA).get(path);
    assertEquals(200, answer.statusCode(), answer.body());
    return answer.headers().firstValue("X-Agent-Node").orElse(null);
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
      if (nodes.get(n).isAlive() && !shardsOf(n).isEmpty()) {
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
