package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.agentruntime.persistence.testing.TestCassandra;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A webhook delivery that is pending (in its backoff) when its node is killed with -9 is made by
 * the node started after it, with nobody asking anything: the tenant's outbox is a remembered
 * entity, and what it journaled comes back with it (ADR 0027).
 */
class WebhookKillIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OLGA = "it-key-olga";

  @TempDir Path dir;

  record Received(String id, String body, int answered) {}

  @Test
  void aDeliveryPendingWhenTheNodeIsKilledIsMadeByTheNextNode() throws Exception {
    List<Received> received = new CopyOnWriteArrayList<>();
    AtomicBoolean failing = new AtomicBoolean(true);
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hooks",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          int status = failing.get() ? 500 : 200;
          received.add(
              new Received(exchange.getRequestHeaders().getFirst("webhook-id"), body, status));
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    receiver.start();
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Path keys = dir.resolve("keys.json");
    Files.writeString(
        keys,
        "[{\"sha256\": \""
            + TestKeysFile.sha256(TestKeysFile.ADA)
            + "\", \"tenant\": \"acme\", \"user\": \"ada\", \"roles\": [\"user\"]},\n"
            + " {\"sha256\": \""
            + TestKeysFile.sha256(OLGA)
            + "\", \"tenant\": \"acme\", \"user\": \"olga\", \"roles\": [\"operator\"]}]\n");
    Path home = dir.resolve("home");
    Map<String, String> env =
        Map.of(
            "AGENT_RUNTIME_CASSANDRA_CONTACT_POINTS",
            TestCassandra.get().contactPoint(),
            "AGENT_RUNTIME_KEYS_FILE",
            keys.toString(),
            "AGENT_RUNTIME_MIGRATE_ON_START",
            "true",
            "AGENT_RUNTIME_WEBHOOK_KEY",
            Base64.getEncoder().encodeToString(key),
            "AGENT_RUNTIME_CDS",
            "off",
            "AGENT_RUNTIME_JAVA_OPTS",
            "-Xmx512m -Dagent-runtime.cassandra.keyspace="
                + TestCassandra.uniqueKeyspaceName("webhook_kill_it")
                + " -Dagent-runtime.webhooks.first-retry=2s"
                + " -Dagent-runtime.webhooks.max-retry=2s");
    try {
      NodeProcess first = NodeProcess.launch("node", home, env);
      first.awaitReady(Duration.ofSeconds(120));
      HttpClientSupport operator = new HttpClientSupport(first.baseUrl(), OLGA);
      var made =
          operator.post(
              "/v1/webhooks",
              "{\"url\": \"http://127.0.0.1:"
                  + receiver.getAddress().getPort()
                  + "/hooks\", \"events\": [\"agent.session.created\"]}");
      assertEquals(201, made.statusCode(), made.body());
      String hook = JSON.readTree(made.body()).get("id").asText();
      HttpClientSupport ada = new HttpClientSupport(first.baseUrl(), TestKeysFile.ADA);
      assertEquals(201, ada.put("/v1/sessions/hooked", "{}").statusCode());

      await("two failed tries", () -> received.size() >= 2);
      String eventId = received.get(0).id();
      assertTrue(received.get(0).body().contains("\"hooked\""), received.get(0).body());
      first.kill(); // in its backoff: the next try is due in 2 s
      int triesBefore = received.size();
      failing.set(false);

      NodeProcess second = NodeProcess.launch("node", home, env);
      try {
        second.awaitReady(Duration.ofSeconds(120));
        // Nothing asks the outbox anything: it must come back by itself and deliver.
        await(
            "the restarted node delivers",
            () -> received.stream().anyMatch(r -> r.answered() == 200));
        assertTrue(
            received.stream().allMatch(r -> r.id().equals(eventId)),
            "the same webhook-id on every try: " + received);
        assertTrue(received.size() > triesBefore);
        HttpClientSupport again = new HttpClientSupport(second.baseUrl(), OLGA);
        JsonNode log =
            JSON.readTree(again.get("/v1/webhooks/" + hook + "/deliveries").body()).get("data");
        await(
            "the delivery log says delivered",
            () -> {
              try {
                return JSON.readTree(again.get("/v1/webhooks/" + hook + "/deliveries").body())
                    .at("/data/0/state")
                    .asText()
                    .equals("delivered");
              } catch (Exception e) {
                return false;
              }
            });
        assertEquals(eventId, log.get(0).get("event_id").asText());
      } finally {
        second.terminate(Duration.ofSeconds(90));
      }
    } finally {
      receiver.stop(0);
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(100);
    }
  }
}
