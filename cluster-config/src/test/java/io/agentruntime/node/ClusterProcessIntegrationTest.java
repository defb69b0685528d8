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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real node processes in one cluster on one Cassandra, through the life of a cluster: any node
 * serves any session and names its host; the node hosting turns in flight is killed with -9 and the
 * turns complete on the survivors without a client request; a fourth node joins and takes shards
 * while a client writes; a node leaves gracefully while the client writes. The client retries on
 * 503 and never fails for good, no acknowledged write is lost, and no session's journal ever had
 * two live writers.
 */
class ClusterProcessIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SESSIONS =
      IntStream.range(0, 24).mapToObj(i -> "s" + i).toList();

  @TempDir Path home;
  private final RecordingToolServer tools = RecordingToolServer.start();
  private ProcessCluster cluster;
  private List<NodeProcess> nodes;

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    tools.close();
  }

  @Test
  void sessionsSurviveACrashAScaleOutAndAGracefulLeave() throws Exception {
    cluster = new ProcessCluster(home);
    nodes = cluster.nodes;
    for (int i = 0; i < 3; i++) {
      cluster.startNode();
    }
    cluster.awaitMembersUp(3);

    anyNodeServesAnySessionAndNamesItsHost();
    turnsInFlightCompleteAfterTheirNodeIsKilled();

    try (SteadyTraffic traffic =
        SteadyTraffic.start(SESSIONS, cluster::servingUrls, TestKeysFile.ADA)) {
      Thread.sleep(2_000);
      System.out.println("CLUSTER steady traffic before scale-out: " + traffic.takeSummary());

      aFourthNodeTakesShardsUnderTraffic(traffic);
      aNodeLeavesGracefullyUnderTraffic(traffic);
      traffic.close();

      HttpClientSupport reader = cluster.client(0);
      for (Map.Entry<String, Integer> ack : traffic.acknowledged().entrySet()) {
        JsonNode session = JSON.readTree(reader.get("/v1/sessions/" + ack.getKey()).body());
        assertEquals(
            ack.getValue().intValue(),
            session.at("/memory/traffic").asInt(),
            "the last acknowledged write of " + ack.getKey() + " is there");
      }
    }

    for (String session : SESSIONS) {
      // Throws when a writer wrote again after another took over, or an event is missing.
      JournalWriters.runs(
          TestCassandra.get().session(),
          cluster.keyspace(),
          "Session|" + SessionEntity.entityId("acme", session));
    }
  }

  private void anyNodeServesAnySessionAndNamesItsHost() throws Exception {
    HttpClientSupport viaFirst = cluster.client(0);
    for (String session : SESSIONS) {
      assertEquals(
          201,
          viaFirst
              .put(
                  "/v1/sessions/" + session,
                  "{\"memory\": {\"n\": 1}, \"permissions\": {\"tools\": {\"*\": \"allow\"}}}")
              .statusCode());
    }
    for (String session : SESSIONS) {
      HttpResponse<String> first = viaFirst.get("/v1/sessions/" + session);
      String host = nodes.get(cluster.hostOf(session)).clusterAddress();
      for (int n = 0; n < nodes.size(); n++) {
        HttpResponse<String> answer = cluster.client(n).get("/v1/sessions/" + session);
        assertEquals(first.body(), answer.body(), "node " + n + " serves session " + session);
        assertEquals(
            host,
            answer.headers().firstValue("X-Agent-Node").orElse(null),
            "node " + n + " names the host of " + session);
      }
    }
    assertTrue(
        cluster.hostingNodes().size() >= 2,
        "sessions spread over the nodes: " + cluster.hostingNodes());
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
      int host = cluster.hostOf(session);
      if (host > 0 && (victim < 0 || host == victim)) {
        victim = host;
        onVictim.add(session);
      }
    }
    assertTrue(
        onVictim.size() >= 3, "three sessions hosted by one node other than the seed: " + onVictim);
    List<String> turnSessions = onVictim.subList(0, 2);
    String idleSession = onVictim.get(2);

    HttpClientSupport viaFirst = cluster.client(0);
    Map<String, String> turns = new LinkedHashMap<>();
    for (String session : turnSessions) {
      assertEquals(
          200,
          viaFirst
              .put(
                  "/v1/sessions/" + session + "/tools/slow",
                  "{\"kind\": \"http\", \"url\": \""
                      + tools.url("/slow")
                      + "\", \"idempotent\": true}")
              .statusCode());
      var accepted =
          viaFirst.post(
              "/v1/sessions/" + session + "/messages", "{\"content\": \"/tool slow {}\"}");
      assertEquals(202, accepted.statusCode(), accepted.body());
      turns.put(session, JSON.readTree(accepted.body()).path("turnId").asText());
    }
    assertTrue(tools.awaitCalls("/slow", 2, Duration.ofSeconds(30)));

    long killedAt = System.nanoTime();
    nodes.get(victim).kill();

    // A client request to another session of the dead node: answered once the shard is back.
    HttpClientSupport survivor = cluster.client(0);
    long firstAnswerMillis = -1;
    while (firstAnswerMillis < 0
        && System.nanoTime() - killedAt < Duration.ofSeconds(60).toNanos()) {
      if (quickGet(nodes.get(0).baseUrl(), "/v1/sessions/" + idleSession) == 200) {
        firstAnswerMillis = (System.nanoTime() - killedAt) / 1_000_000;
      } else {
        Thread.sleep(100);
      }
    }
    assertTrue(firstAnswerMillis >= 0, "a session of the killed node answers again");

    // No client request to the turns' sessions: the survivors restart them and the tool is called
    // again.
    assertTrue(
        tools.awaitCalls("/slow", 4, Duration.ofSeconds(60)), "the turns resumed on a survivor");
    long resumedMillis = (System.nanoTime() - killedAt) / 1_000_000;
    for (String session : turnSessions) {
      List<String> keysOfSession =
          tools.calls("/slow").stream()
              .filter(c -> SessionEntity.entityId("acme", session).equals(c.session()))
              .map(RecordingToolServer.RecordedCall::idempotencyKey)
              .toList();
      assertEquals(
          2, keysOfSession.size(), session + " called the tool before and after the crash");
      assertEquals(
          keysOfSession.get(0),
          keysOfSession.get(1),
          "the same call, with the same Idempotency-Key");
    }
    long completedMillis = 0;
    for (Map.Entry<String, String> turn : turns.entrySet()) {
      HttpResponse<String> answer =
          survivor.get(
              "/v1/sessions/" + turn.getKey() + "/turns/" + turn.getValue() + "?waitSeconds=30");
      assertEquals(
          "completed", JSON.readTree(answer.body()).path("status").asText(), answer.body());
      assertNotEquals(
          nodes.get(victim).clusterAddress(),
          answer.headers().firstValue("X-Agent-Node").orElse(null));
      completedMillis = (System.nanoTime() - killedAt) / 1_000_000;
    }
    System.out.printf(
        "CLUSTER failover after kill -9: first answer for an affected session %d ms, "
            + "tool called again %d ms, turns completed %d ms%n",
        firstAnswerMillis, resumedMillis, completedMillis);
    return victim;
  }

  private void aFourthNodeTakesShardsUnderTraffic(SteadyTraffic traffic) throws Exception {
    long started = System.nanoTime();
    NodeProcess added = cluster.startNode();
    int index = nodes.indexOf(added);
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (cluster.shardsOf(index).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "the new node took no shard");
      Thread.sleep(250);
    }
    long tookShardMillis = (System.nanoTime() - started) / 1_000_000;
    Thread.sleep(2_000);
    SteadyTraffic.Summary during = traffic.takeSummary();
    System.out.printf(
        "CLUSTER scale-out: node started and took its first shards after %d ms; traffic: %s%n",
        tookShardMillis, during);
    assertEquals(0, during.failedForGood(), "no write failed for good during scale-out: " + during);
  }

  private void aNodeLeavesGracefullyUnderTraffic(SteadyTraffic traffic) throws Exception {
    int leaving = -1;
    for (int n = 1; n < nodes.size() && leaving < 0; n++) {
      if (nodes.get(n).isAlive() && !cluster.shardsOf(n).isEmpty()) {
        leaving = n;
      }
    }
    assertTrue(leaving > 0, "a node other than the seed hosts shards");
    NodeProcess node = nodes.get(leaving);
    List<String> movers = new ArrayList<>();
    for (String session : SESSIONS) {
      if (cluster.hostOf(session) == leaving) {
        movers.add(session);
      }
    }
    traffic.takeSummary();
    long leftAt = System.nanoTime();
    HttpResponse<String> leave =
        new HttpClientSupport(nodes.get(0).managementUrl(), null)
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            nodes.get(0).managementUrl()
                                + "/cluster/members/"
                                + "pekko://"
                                + Node.SYSTEM_NAME
                                + "@"
                                + node.clusterAddress()))
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
    System.out.printf(
        "CLUSTER graceful leave: node exited after %d ms, its %d sessions answered elsewhere after %d ms; traffic: %s%n",
        exitedMillis, movers.size(), movedMillis, during);
    assertEquals(0, during.failedForGood(), "no write failed for good during the leave: " + during);
  }

  private static int quickGet(String baseUrl, String path) {
    try {
      return new HttpClientSupport(baseUrl, TestKeysFile.ADA)
          .send(
              new HttpClientSupport(baseUrl, TestKeysFile.ADA)
                  .request(path)
                  .timeout(Duration.ofSeconds(2))
                  .GET())
          .statusCode();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private static String quickHost(String baseUrl, String path) {
    HttpResponse<String> answer = new HttpClientSupport(baseUrl, TestKeysFile.ADA).get(path);
    assertEquals(200, answer.statusCode(), answer.body());
    return answer.headers().firstValue("X-Agent-Node").orElse(null);
  }
}
