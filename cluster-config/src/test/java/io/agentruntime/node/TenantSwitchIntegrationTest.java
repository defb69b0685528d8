package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.runtime.session.SessionEntity;
import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.RecordingToolServer.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One switch stops a tenant on every node of a three-node cluster of real processes (decision
 * 0042): turns on every node wait for approval; the tenant is suspended through one node; the
 * approvals are granted, and no tool is called, also after a node hosting some of the sessions is
 * killed with -9 and its sessions recover on the survivors. After resume every turn completes and
 * every tool call was made exactly once.
 */
class TenantSwitchIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OLGA = "it-key-olga";
  private static final List<String> SESSIONS =
      IntStream.range(0, 24).mapToObj(i -> "switch" + i).toList();

  @TempDir Path home;
  private final RecordingToolServer tools = RecordingToolServer.start();
  private ProcessCluster cluster;

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    tools.close();
  }

  @Test
  void aSuspendedTenantStopsOnEveryNodeAcrossACrashAndGoesOnOnceResumed() throws Exception {
    cluster = new ProcessCluster(home, Map.of("AGENT_RUNTIME_KEYS_FILE", keys().toString()));
    for (int i = 0; i < 3; i++) {
      cluster.startNode();
    }
    cluster.awaitMembersUp(3);
    tools.script("/book", Reply.json("{\"booked\": true}"));

    HttpClientSupport ada = cluster.client(0);
    Map<String, String> turns = new LinkedHashMap<>();
    for (String session : SESSIONS) {
      assertEquals(
          201,
          ada.put(
                  "/v1/sessions/" + session,
                  "{\"permissions\": {\"tools\": {\"book\": \"ask\", \"*\": \"allow\"}}}")
              .statusCode());
      assertEquals(
          200,
          ada.put(
                  "/v1/sessions/" + session + "/tools/book",
                  "{\"kind\": \"http\", \"url\": \""
                      + tools.url("/book")
                      + "\", \"idempotent\": true}")
              .statusCode());
      var accepted =
          ada.post(
              "/v1/sessions/" + session + "/messages?waitSeconds=20",
              "{\"content\": \"/tool book {}\"}");
      JsonNode turn = JSON.readTree(accepted.body());
      assertEquals("awaiting_approval", turn.path("status").asText(), accepted.body());
      turns.put(session, turn.path("turnId").asText());
    }
    Set<Integer> hosts = new HashSet<>();
    for (String session : SESSIONS) {
      hosts.add(cluster.hostOf(session));
    }
    assertEquals(3, hosts.size(), "sessions on every node: " + hosts);

    var suspended = operator(1).post("/v1/tenant/suspend", "{}");
    assertEquals(200, suspended.statusCode(), suspended.body());
    Thread.sleep(5_000); // the bound: every node knows by now

    for (int n = 0; n < 3; n++) {
      var refused = cluster.client(n).post("/v1/sessions/switch0/messages", "{\"content\": \"x\"}");
      assertEquals(409, refused.statusCode(), "node " + n + ": " + refused.body());
      assertTrue(refused.body().contains("tenant_suspended"), refused.body());
    }
    for (String session : SESSIONS) {
      HttpClientSupport via = cluster.client(Math.abs(session.hashCode()) % 3);
      String approval =
          JSON.readTree(via.get("/v1/sessions/" + session + "/approvals").body())
              .path(0)
              .path("id")
              .asText();
      var decided =
          via.post(
              "/v1/sessions/" + session + "/approvals/" + approval, "{\"decision\": \"approve\"}");
      assertEquals(200, decided.statusCode(), decided.body());
    }
    Thread.sleep(5_000);
    assertEquals(0, tools.calls("/book").size(), "no tool was called while suspended");

    int victim = hosts.stream().filter(h -> h != 0).findFirst().orElseThrow(); // not the seed
    cluster.node(victim).kill();
    int survivor = victim == 1 ? 2 : 1;
    // Every session answers again (those of the killed node recovered on a survivor) ...
    for (String session : SESSIONS) {
      await(
          session + " answers on a survivor",
          () -> cluster.client(survivor).get("/v1/sessions/" + session).statusCode() == 200);
    }
    Thread.sleep(5_000);
    // ... and still calls nothing.
    assertEquals(0, tools.calls("/book").size(), "no tool was called after the crash either");

    var resumed = operator(survivor).post("/v1/tenant/resume", "{}");
    assertEquals(200, resumed.statusCode(), resumed.body());
    HttpClientSupport reader = cluster.client(survivor);
    for (Map.Entry<String, String> turn : turns.entrySet()) {
      String path = "/v1/sessions/" + turn.getKey() + "/turns/" + turn.getValue();
      await(
          turn.getKey() + " completes after resume",
          () ->
              "completed"
                  .equals(
                      JSON.readTree(reader.get(path + "?waitSeconds=5").body())
                          .path("status")
                          .asText()));
    }
    for (String session : SESSIONS) {
      long calls =
          tools.calls("/book").stream()
              .filter(c -> SessionEntity.entityId("acme", session).equals(c.session()))
              .count();
      assertEquals(1, calls, session + " called its tool exactly once");
    }
  }

  private HttpClientSupport operator(int node) {
    return new HttpClientSupport(cluster.node(node).baseUrl(), OLGA);
  }

  /** ada (user, approver) and olga (operator) of tenant acme. */
  private Path keys() throws Exception {
    Path file = home.resolve("switch-keys.json");
    Files.createDirectories(home);
    Files.writeString(
        file,
        "[{\"sha256\": \""
            + TestKeysFile.sha256(TestKeysFile.ADA)
            + "\", \"tenant\": \"acme\", \"user\": \"ada\", \"roles\": [\"user\", \"approver\"]},\n"
            + " {\"sha256\": \""
            + TestKeysFile.sha256(OLGA)
            + "\", \"tenant\": \"acme\", \"user\": \"olga\", \"roles\": [\"operator\"]}]\n");
    return file;
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void await(String what, Check condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (true) {
      try {
        if (condition.holds()) {
          return;
        }
      } catch (java.io.IOException | RuntimeException e) {
        // a node that is down or still recovering: try again
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(200);
    }
  }
}
