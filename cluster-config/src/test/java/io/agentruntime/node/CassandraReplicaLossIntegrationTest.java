package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.persistence.cassandra.ManagedCassandraCluster;
import io.agentruntime.persistence.cassandra.ManagedCassandraSettings;
import io.agentruntime.persistence.testing.TestCassandra;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three managed Cassandra nodes on 127.0.0.1-3 with replication factor 3, and a node running turns
 * on them at QUORUM: one Cassandra node is killed with -9 in the middle of the workflow, the turns
 * go on, and after a restart of the runtime node (so everything is read back from the journal)
 * every acknowledged message and memory write is there.
 */
class CassandraReplicaLossIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SESSIONS =
      IntStream.range(0, 4).mapToObj(i -> "rf3-" + i).toList();

  @TempDir Path dir;
  private ManagedCassandraCluster cassandra;
  private Node node;

  @AfterEach
  void stopAll() {
    if (node != null) {
      node.stop(Duration.ofSeconds(30));
    }
    if (cassandra != null) {
      cassandra.close();
    }
  }

  @Test
  void writesGoOnAtQuorumWhenOneOfThreeReplicasIsKilled() throws Exception {
    ManagedCassandraSettings template =
        TestCassandra.nodeSettings(Path.of("target/rf3-cassandra"), 19342, 17300, 17301);
    java.nio.file.Files.createDirectories(template.dataDir());
    deleteUnder(template.dataDir());
    cassandra = ManagedCassandraCluster.start(template, 3);

    Path keys = TestKeysFile.write(dir);
    String keyspace = TestCassandra.uniqueKeyspaceName("rf3_it");
    var config =
        TestNodes.config(
            ConfigFactory.parseMap(
                Map.of(
                    "agent-runtime.cassandra.keyspace",
                    keyspace,
                    "agent-runtime.cassandra.contact-points",
                    cassandra.contactPoints(),
                    "agent-runtime.cassandra.replication.factor",
                    3)),
            keys,
            Map.of());
    node = Node.start(config);
    HttpClientSupport ada = new HttpClientSupport(TestNodes.baseUrl(node), TestKeysFile.ADA);
    for (String session : SESSIONS) {
      assertEquals(201, ada.put("/v1/sessions/" + session, "{}").statusCode());
    }
    try (CqlSession cql = TestCassandra.openSession("127.0.0.1", 19342)) {
      String replication =
          cql.execute(
                  "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?",
                  keyspace)
              .one()
              .getMap("replication", String.class, String.class)
              .get("replication_factor");
      assertEquals("3", replication, "the journal's keyspace has three replicas");
    }

    Workflow workflow = new Workflow(ada);
    workflow.runFor(Duration.ofSeconds(6));
    int before = workflow.acknowledged.size();
    long killedAt = System.nanoTime();
    cassandra.kill(1); // 127.0.0.2
    workflow.runFor(Duration.ofSeconds(12));
    int after = workflow.acknowledged.size() - before;
    System.out.printf(
        "CASSANDRA one of three replicas killed: %d steps acknowledged before, %d after in 12 s; "
            + "%d attempts retried (%s), %d failed for good, slowest step %d ms%n",
        before,
        after,
        workflow.retries,
        workflow.statuses,
        workflow.failedForGood,
        workflow.slowestMillis);
    assertTrue(after >= 10, "writes went on after the kill: " + after);
    assertEquals(0, workflow.failedForGood, "no step failed for good");

    // Everything from the journal: a new incarnation of the runtime node reads it back at QUORUM.
    node.stop(Duration.ofSeconds(30));
    node = Node.start(config);
    HttpClientSupport again = new HttpClientSupport(TestNodes.baseUrl(node), TestKeysFile.ADA);
    // Until Cassandra convicts the dead replica, a QUORUM read that picked it times out: 503,
    // retry.
    Map<String, List<String>> messages = new HashMap<>();
    for (String session : SESSIONS) {
      // The transcript comes in pages (decision 0033): read them all.
      List<String> contents = new ArrayList<>();
      String cursor = "0";
      while (cursor != null) {
        JsonNode page =
            JSON.readTree(
                readPatiently(
                    again, "/v1/sessions/" + session + "/messages?limit=1000&after=" + cursor));
        page.path("messages").forEach(m -> contents.add(m.path("content").asText()));
        JsonNode next = page.path("nextAfter");
        cursor = next.isNumber() ? next.asText() : null;
      }
      messages.put(session, contents);
    }
    for (Step step : workflow.acknowledged) {
      assertTrue(
          messages.get(step.session()).contains(step.content()),
          "acknowledged message '"
              + step.content()
              + "' of "
              + step.session()
              + " is in the journal");
    }
    for (String session : SESSIONS) {
      JsonNode memory = JSON.readTree(readPatiently(again, "/v1/sessions/" + session + "/memory"));
      Integer last = workflow.lastMemory.get(session);
      if (last != null) {
        assertEquals(
            last.intValue(),
            memory.path("step").asInt(),
            "the last acknowledged memory write of " + session);
      }
    }
    System.out.printf(
        "CASSANDRA kill at +%d ms; %d acknowledged steps all read back%n",
        Duration.ofNanos(System.nanoTime() - killedAt).toMillis(), workflow.acknowledged.size());
  }

  private static String readPatiently(HttpClientSupport client, String path)
      throws InterruptedException {
    long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    HttpResponse<String> answer = client.get(path);
    while (answer.statusCode() == 503 && System.nanoTime() < giveUp) {
      Thread.sleep(200);
      answer = client.get(path);
    }
    assertEquals(200, answer.statusCode(), path + ": " + answer.body());
    return answer.body();
  }

  record Step(String session, String content) {}

  /** Turns and memory writes, one after the other over the sessions; 503 means try again. */
  private static final class Workflow {
    final HttpClientSupport client;
    final List<Step> acknowledged = new ArrayList<>();
    final Map<String, Integer> lastMemory = new HashMap<>();
    final Map<Integer, Integer> statuses = new HashMap<>();
    int retries;
    int failedForGood;
    long slowestMillis;
    int n;

    Workflow(HttpClientSupport client) {
      this.client = client;
    }

    void runFor(Duration duration) throws Exception {
      long end = System.nanoTime() + duration.toNanos();
      while (System.nanoTime() < end) {
        n++;
        String session = SESSIONS.get(n % SESSIONS.size());
        String content = "step " + n;
        long started = System.nanoTime();
        // The same key on every attempt: a retry can never open a second turn.
        String idempotencyKey = "step-" + n;
        if (send(
            () ->
                client.send(
                    client
                        .request("/v1/sessions/" + session + "/messages?waitSeconds=10")
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", idempotencyKey)
                        .POST(HttpClientSupport.body("{\"content\": \"" + content + "\"}"))))) {
          acknowledged.add(new Step(session, content));
        }
        if (send(
            () -> client.put("/v1/sessions/" + session + "/memory/step", Integer.toString(n)))) {
          lastMemory.put(session, n);
        }
        slowestMillis = Math.max(slowestMillis, (System.nanoTime() - started) / 1_000_000);
      }
    }

    private boolean send(java.util.function.Supplier<HttpResponse<String>> request)
        throws InterruptedException {
      long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < giveUp) {
        int status;
        String body;
        try {
          HttpResponse<String> answer = request.get();
          status = answer.statusCode();
          body = answer.body();
        } catch (RuntimeException e) {
          status = 0;
          body = e.toString();
        }
        statuses.merge(status, 1, Integer::sum);
        if (status == 200 || status == 202) {
          return true; // durably journaled
        }
        if (status != 503 && status != 0) {
          failedForGood++;
          System.out.println("CASSANDRA step failed for good: " + status + " " + body);
          return false;
        }
        retries++;
        Thread.sleep(100);
      }
      failedForGood++;
      return false;
    }
  }

  private static void deleteUnder(Path dir) throws java.io.IOException {
    try (var paths = java.nio.file.Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (!p.equals(dir)) {
          java.nio.file.Files.delete(p);
        }
      }
    }
  }
}
