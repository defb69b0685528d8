package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.agentruntime.persistence.testing.TestCassandra;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's controls on a real node and Cassandra: the metrics count the turns and time the
 * journal writes; the listing by status reads the status table and follows the session; an erase
 * deletes its rows (events but the tombstone, snapshots, directory) and a new node still refuses
 * the id.
 */
class OperatorControlsIntegrationTest {

  private static final String OLGA = "it-key-olga";
  private static final String SECRET = "the launch code is 0000";

  @TempDir Path dir;

  @Test
  void suspendListEraseAndTheIdStaysRefusedAfterARestart() throws Exception {
    Path keys = dir.resolve("keys.json");
    Files.writeString(
        keys,
        "[{\"sha256\": \""
            + TestKeysFile.sha256(TestKeysFile.ADA)
            + "\", \"tenant\": \"acme\", \"user\": \"ada\", \"roles\": [\"user\"]},\n"
            + " {\"sha256\": \""
            + TestKeysFile.sha256(OLGA)
            + "\", \"tenant\": \"acme\", \"user\": \"olga\", \"roles\": [\"operator\"]}]\n");
    String keyspace = TestCassandra.uniqueKeyspaceName("operator_it");
    Map<String, Object> settings = Map.of("agent-runtime.session.snapshot-every", 3);
    String pid = "Session|acme:gone";

    Node first = Node.start(TestNodes.config(keyspace, keys, settings));
    try {
      HttpClientSupport ada = new HttpClientSupport(TestNodes.baseUrl(first), TestKeysFile.ADA);
      HttpClientSupport olga = new HttpClientSupport(TestNodes.baseUrl(first), OLGA);
      assertEquals(
          201,
          ada.put("/v1/sessions/gone", "{\"memory\": {\"note\": \"" + SECRET + "\"}}")
              .statusCode());
      for (int i = 0; i < 3; i++) {
        assertEquals(
            200,
            ada.post(
                    "/v1/sessions/gone/messages?waitSeconds=10",
                    "{\"content\": \"turn " + i + "\"}")
                .statusCode());
      }
      String metrics = olga.get("/metrics").body();
      assertTrue(sample(metrics, "agent_turns_total{outcome=\"completed\"}") >= 3, metrics);
      assertTrue(
          sample(metrics, "agent_journal_write_duration_seconds_count") >= 7,
          "every write to Cassandra is timed");
      assertTrue(sample(metrics, "agent_journal_write_duration_seconds_sum") > 0);
      assertEquals(
          200, olga.post("/v1/sessions/gone/suspend", "{\"reason\": \"audit\"}").statusCode());
      awaitListed(olga, "suspended", "gone");
      assertFalse(listed(olga, "idle").contains("gone"));
      assertEquals(200, olga.post("/v1/sessions/gone/resume", "").statusCode());
      awaitListed(olga, "idle", "gone");

      CqlSession cql = TestCassandra.get().session();
      assertTrue(
          count(
                  cql,
                  "SELECT sequence_nr FROM "
                      + keyspace
                      + ".messages WHERE persistence_id = ? AND partition_nr = 0",
                  pid)
              > 5);
      assertTrue(
          count(
                  cql,
                  "SELECT sequence_nr FROM " + keyspace + ".snapshots WHERE persistence_id = ?",
                  pid)
              > 0,
          "a snapshot every 3 events");

      HttpResponse<String> erased = olga.post("/v1/sessions/gone/erase", "");
      assertEquals(200, erased.statusCode(), erased.body());

      List<Row> left =
          cql.execute(
                  "SELECT event FROM "
                      + keyspace
                      + ".messages WHERE persistence_id = ? AND partition_nr = 0",
                  pid)
              .all();
      assertEquals(1, left.size(), "only the tombstone is left");
      assertFalse(
          StandardCharsets.ISO_8859_1
              .decode(left.get(0).getByteBuffer("event"))
              .toString()
              .contains("launch code"));
      assertEquals(
          0,
          count(
              cql,
              "SELECT sequence_nr FROM " + keyspace + ".snapshots WHERE persistence_id = ?",
              pid));
      for (String table : List.of("sessions_by_tenant", "sessions_by_status")) {
        assertEquals(
            0,
            cql
                .execute("SELECT session_id FROM " + keyspace + "." + table + " ALLOW FILTERING")
                .all()
                .stream()
                .filter(r -> r.getString("session_id").equals("gone"))
                .count(),
            table);
      }
    } finally {
      first.stop(Duration.ofSeconds(30));
    }

    Node second = Node.start(TestNodes.config(keyspace, keys, settings));
    try {
      HttpClientSupport ada = new HttpClientSupport(TestNodes.baseUrl(second), TestKeysFile.ADA);
      HttpResponse<String> read = ada.get("/v1/sessions/gone");
      assertEquals(404, read.statusCode());
      assertTrue(read.body().contains("session_erased"), read.body());
      HttpResponse<String> reused = ada.put("/v1/sessions/gone", "{}");
      assertEquals(409, reused.statusCode());
      assertTrue(reused.body().contains("session_erased"), reused.body());
    } finally {
      second.stop(Duration.ofSeconds(30));
    }
  }

  /** The value of one sample line of a Prometheus scrape, 0 when absent. */
  private static double sample(String scrape, String name) {
    return scrape
        .lines()
        .filter(l -> l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
        .findFirst()
        .orElse(0);
  }

  private static int count(CqlSession cql, String query, String pid) {
    return cql.execute(query, pid).all().size();
  }

  private static List<String> listed(HttpClientSupport operator, String status) {
    String body = operator.get("/v1/sessions?status=" + status).body();
    return java.util.regex.Pattern.compile("\"id\":\"([^\"]+)\"")
        .matcher(body)
        .results()
        .map(m -> m.group(1))
        .toList();
  }

  private static void awaitListed(HttpClientSupport operator, String status, String id)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!listed(operator, status).contains(id)) {
      assertTrue(
          System.nanoTime() < deadline,
          id + " never listed as " + status + ": " + operator.get("/v1/sessions").body());
      Thread.sleep(100);
    }
  }
}
