package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.persistence.testing.TestCassandra;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node stops; a new one on the same Cassandra serves the same sessions, unchanged. */
class NodeRestartIntegrationTest {

  @TempDir Path dir;

  @Test
  void aSessionReadsBackIdenticalFromANewNode() throws Exception {
    Path keys = TestKeysFile.write(dir);
    String keyspace = TestCassandra.uniqueKeyspaceName("restart_it");

    Node first = Node.start(TestNodes.config(keyspace, keys, Map.of()));
    HttpClientSupport ada = new HttpClientSupport(TestNodes.baseUrl(first), TestKeysFile.ADA);
    String spec =
        "{\"agent\": {\"instructions\": \"You help.\", \"limits\": {\"maxStepsPerTurn\": 4, \"maxTurnSeconds\": 60}},"
            + " \"tools\": [{\"name\": \"search\", \"kind\": \"http\", \"url\": \"http://127.0.0.1:9/search\", \"idempotent\": true}],"
            + " \"permissions\": {\"tools\": {\"search\": \"allow\", \"*\": \"ask\"}},"
            + " \"memory\": {\"user_name\": \"Ada\"}, \"metadata\": {\"team\": \"core\"}}";
    assertEquals(201, ada.put("/v1/sessions/durable", spec).statusCode());
    assertEquals(
        200,
        ada.put("/v1/sessions/durable/memory/prefs", "{\"lang\": \"fr\", \"n\": [1, 2]}")
            .statusCode());
    assertEquals(
        202, ada.post("/v1/sessions/durable/messages", "{\"content\": \"one\"}").statusCode());
    assertEquals(
        202, ada.post("/v1/sessions/durable/messages", "{\"content\": \"two\"}").statusCode());
    // Both turns settle first (the scripted model answers at once): a turn still running when the
    // node stops would, rightly, go on on the new node and change what is read there.
    String session = ada.get("/v1/sessions/durable").body();
    long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!session.contains("\"status\":\"idle\"") && System.nanoTime() < giveUp) {
      Thread.sleep(50);
      session = ada.get("/v1/sessions/durable").body();
    }
    assertTrue(session.contains("\"status\":\"idle\""), session);
    String transcript = ada.get("/v1/sessions/durable/messages").body();
    String turns = ada.get("/v1/sessions/durable/turns").body();
    first.stop(Duration.ofSeconds(30));

    Node second = Node.start(TestNodes.config(keyspace, keys, Map.of()));
    try {
      HttpClientSupport again = new HttpClientSupport(TestNodes.baseUrl(second), TestKeysFile.ADA);
      assertEquals(session, again.get("/v1/sessions/durable").body());
      assertEquals(transcript, again.get("/v1/sessions/durable/messages").body());
      assertEquals(turns, again.get("/v1/sessions/durable/turns").body());
      assertEquals(
          200,
          again.put("/v1/sessions/durable", spec).statusCode(),
          "PUT of the same body still matches");
    } finally {
      second.stop(Duration.ofSeconds(30));
    }
  }
}
