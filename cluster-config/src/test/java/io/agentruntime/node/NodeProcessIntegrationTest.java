package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agentruntime.persistence.testing.TestCassandra;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real node process killed with -9 loses nothing it acknowledged. */
class NodeProcessIntegrationTest {

  @TempDir Path home;

  @Test
  void anAcknowledgedWriteSurvivesKillMinus9OfTheNode() throws Exception {
    Path keys = TestKeysFile.write(home);
    Map<String, String> env =
        Map.of(
            "AGENT_RUNTIME_CASSANDRA_CONTACT_POINTS", TestCassandra.get().contactPoint(),
            "AGENT_RUNTIME_KEYS_FILE", keys.toString(),
            "AGENT_RUNTIME_MIGRATE_ON_START", "true");
    List<String> props =
        List.of(
            "-Dagent-runtime.cassandra.keyspace=" + TestCassandra.uniqueKeyspaceName("process_it"));

    NodeProcess first = NodeProcess.start("node", home, env, props);
    first.awaitReady(Duration.ofSeconds(60));
    HttpClientSupport ada = new HttpClientSupport(first.baseUrl(), TestKeysFile.ADA);
    assertEquals(201, ada.put("/v1/sessions/crashy", "{\"memory\": {\"a\": 1}}").statusCode());
    assertEquals(200, ada.put("/v1/sessions/crashy/memory/answer", "{\"value\": 42}").statusCode());
    first.kill();

    NodeProcess second = NodeProcess.start("node", home, env, props);
    try {
      second.awaitReady(Duration.ofSeconds(60));
      HttpClientSupport again = new HttpClientSupport(second.baseUrl(), TestKeysFile.ADA);
      assertEquals(
          "{\"a\":1,\"answer\":{\"value\":42}}", again.get("/v1/sessions/crashy/memory").body());
    } finally {
      second.terminate(Duration.ofSeconds(60));
    }
  }
}
