package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.agentruntime.runtime.session.LifecycleNotice;
import io.agentruntime.runtime.session.LifecycleNotices;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes; a session's changes that its node journaled but never handed to the
 * tenant's outbox (that node still believed the tenant had no endpoint: the endpoint was registered
 * through another node, within endpoints-recheck) are delivered after a kill -9 of that node, with
 * nobody asking anything: the session, remembered, recovers on a survivor and offers again what its
 * replayed events announced, the first turn's idle included, which its state no longer shows (ADR
 * 0027, second addendum).
 */
class WebhookReplayKillIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OLGA = "it-key-olga";

  @TempDir Path home;
  private ProcessCluster cluster;
  private HttpServer receiver;

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  @Test
  void changesNeverHandedOverAreDeliveredAfterTheirNodeIsKilled() throws Exception {
    List<String[]> received = new CopyOnWriteArrayList<>(); // webhook-id, body
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hooks",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          received.add(new String[] {exchange.getRequestHeaders().getFirst("webhook-id"), body});
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    cluster =
        new ProcessCluster(
            home, Map.of("AGENT_RUNTIME_WEBHOOK_KEY", Base64.getEncoder().encodeToString(key)));
    Files.writeString(
        home.resolve("keys.json"),
        "[{\"sha256\": \""
            + TestKeysFile.sha256(TestKeysFile.ADA)
            + "\", \"tenant\": \"acme\", \"user\": \"ada\", \"roles\": [\"user\", \"approver\"]},\n"
            + " {\"sha256\": \""
            + TestKeysFile.sha256(OLGA)
            + "\", \"tenant\": \"acme\", \"user\": \"olga\", \"roles\": [\"operator\"]}]\n");
    cluster.jvmOptions = List.of("-Dagent-runtime.webhooks.endpoints-recheck=10m");
    for (int i = 0; i < 3; i++) {
      cluster.startNode();
    }
    cluster.awaitMembersUp(3);

    // A session hosted by a node other than the seed (whose loss is another story).
    HttpClientSupport ada = cluster.client(0);
    String id = null;
    int host = -1;
    for (int i = 0; i < 20 && (host < 1); i++) {
      id = "replay-kill-" + i;
      assertEquals(201, ada.put("/v1/sessions/" + id, "{}").statusCode());
      host = cluster.hostOf(id); // its creation taught its node that acme has no endpoint
    }
    assertTrue(host >= 1, "a session hosted by node 1 or 2");
    int other = host == 1 ? 2 : 1;

    HttpClientSupport operator = new HttpClientSupport(cluster.node(other).baseUrl(), OLGA);
    HttpResponse<String> made =
        operator.post(
            "/v1/webhooks",
            "{\"url\": \"http://127.0.0.1:"
                + receiver.getAddress().getPort()
                + "/hooks\", \"events\": [\"agent.session.idle\", \"turn.completed\"]}");
    assertEquals(201, made.statusCode(), made.body());

    String first = turn(ada, id, "first");
    String second = turn(ada, id, "second");
    Thread.sleep(2_000);
    String session = id;
    assertTrue(
        received.stream().noneMatch(r -> r[1].contains("\"" + session + "\"")),
        "the session's node handed nothing over: " + received.size());

    cluster.node(host).kill();

    String entity = "acme:" + id;
    Set<String> expected =
        Set.of(
            eventId(entity, LifecycleNotice.IDLE, first),
            eventId(entity, LifecycleNotice.TURN_COMPLETED, first),
            eventId(entity, LifecycleNotice.IDLE, second),
            eventId(entity, LifecycleNotice.TURN_COMPLETED, second));
    await(
        "the survivor's recovery of the session delivers all four",
        () ->
            received.stream()
                .filter(r -> r[1].contains("\"" + session + "\""))
                .map(r -> r[0])
                .collect(java.util.stream.Collectors.toSet())
                .containsAll(expected));
    Thread.sleep(2_000);
    assertEquals(
        4,
        received.stream().filter(r -> r[1].contains("\"" + session + "\"")).count(),
        "each once");
  }

  /** Sends {@code content} and waits for its turn to complete; returns the turn's id. */
  private static String turn(HttpClientSupport ada, String id, String content) throws Exception {
    HttpResponse<String> sent =
        ada.post(
            "/v1/sessions/" + id + "/messages?waitSeconds=20",
            "{\"content\": \"" + content + "\"}");
    JsonNode turn = JSON.readTree(sent.body());
    assertEquals("completed", turn.get("status").asText(), sent.body());
    return turn.get("turnId").asText();
  }

  private static String eventId(String entity, String type, String about) {
    return LifecycleNotices.eventId(entity, new LifecycleNotices.Mark(type, about));
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(200);
    }
  }
}
