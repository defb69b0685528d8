package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.INA;
import static io.agentruntime.http.TestKeys.OLGA;
import static io.agentruntime.http.TestKeys.OTTO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.models.webhooks.UnwrapWebhookEvent;
import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.session.SessionEntity;
import io.agentruntime.runtime.webhooks.WebhookEntity;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Webhooks over real HTTP against a real node (docs/webhooks.md): an operator registers a receiver
 * on 127.0.0.1, a session's lifecycle reaches it signed, and the official Java SDK's {@code
 * webhooks().unwrap} verifies every delivery; failures are retried under the same {@code
 * webhook-id}; the secret is shown once; other tenants and non-operators are kept out.
 */
class WebhooksApiTest {

  private static final TestNode node =
      TestNode.start(
          "agent-runtime.webhooks.max-endpoints-per-tenant = 3\n"
              + "agent-runtime.webhooks.first-retry = 200ms");
  private static final Api api = node.api;
  private static final Duration WAIT = Duration.ofSeconds(15);

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aSessionsLifecycleArrivesSignedInOrderAndTheSdkVerifiesIt() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver(() -> 200)) {
      WebhookReceiver.Endpoint hook =
          receiver.register(
              api,
              OLGA,
              "agent.session.created",
              "agent.session.in_progress",
              "agent.session.requires_action",
              "agent.session.idle",
              "agent.session.failed");
      Response made = hook.made();
      String secret = made.json().get("secret").asText();
      assertTrue(secret.startsWith("whsec_"), secret);
      assertEquals(32, Base64.getDecoder().decode(secret.substring(6)).length);
      assertEquals(
          List.of(
              "agent.session.created",
              "agent.session.in_progress",
              "agent.session.action_required",
              "agent.session.idle",
              "agent.session.failed"),
          strings(made.json().get("events")));

      String id = TestNode.newId("hooked");
      assertEquals(201, api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\"}").status());
      assertEquals(
          202, api.post(ADA, "/v1/sessions/" + id + "/messages", "{\"content\": \"hi\"}").status());

      List<WebhookReceiver.Received> got =
          receiver.await(r -> r.body().contains("\"" + id + "\""), 3, WAIT);
      List<String> types = got.stream().map(r -> type(hook.sdk(), r, id)).toList();
      assertEquals(
          List.of("agent.session.created", "agent.session.in_progress", "agent.session.idle"),
          types);

      // A signature made with another secret is refused by the SDK: the check above can fail.
      OpenAIClient wrong =
          WebhookReceiver.sdk("whsec_" + Base64.getEncoder().encodeToString(new byte[32]));
      assertThrows(Exception.class, () -> type(wrong, got.get(0), id));
      api.delete(OLGA, "/v1/webhooks/" + made.json().get("id").asText());
    }
  }

  @Test
  void aReceiverThatFailsTwiceGetsTheSameWebhookIdUntilItAnswers2xxAndMayAskAgain()
      throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (WebhookReceiver receiver =
        new WebhookReceiver(() -> calls.incrementAndGet() <= 2 ? 500 : 200)) {
      String hook = receiver.register(api, OLGA, "agent.session.created").id();
      String id = TestNode.newId("flaky");
      assertEquals(201, api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\"}").status());

      List<WebhookReceiver.Received> got =
          receiver.await(r -> r.body().contains("\"" + id + "\""), 3, WAIT);
      assertEquals(1, got.stream().map(WebhookReceiver.Received::id).distinct().count(), "" + got);
      assertEquals(3, got.size(), "" + got); // the third was a 200: no fourth
      String eventId = got.get(0).id();
      assertTrue(got.get(0).body().contains("\"id\":\"" + eventId + "\""), got.get(0).body());

      JsonNode delivery =
          eventually(
              () -> api.get(OLGA, "/v1/webhooks/" + hook + "/deliveries").json().at("/data/0"),
              d -> "delivered".equals(d.path("state").asText()));
      assertEquals(eventId, delivery.get("event_id").asText());
      assertEquals(3, delivery.get("attempts").asInt());
      assertEquals(200, delivery.get("last_status").asInt());
      assertTrue(delivery.get("next_attempt_at").isNull());

      Response again =
          api.post(OLGA, "/v1/webhooks/" + hook + "/deliveries/" + eventId + "/redeliver", null);
      assertEquals(202, again.status(), again.toString());
      assertEquals(4, receiver.await(r -> r.id().equals(eventId), 4, WAIT).size());
      assertEquals(
          404,
          api.post(OLGA, "/v1/webhooks/" + hook + "/deliveries/evt_nope/redeliver", null).status());
      api.delete(OLGA, "/v1/webhooks/" + hook);
    }
  }

  @Test
  void badEndpointsAreRefusedNamingTheFieldAndNothingIsStored() {
    String before = outbox("initech");
    Response foreign =
        api.post(
            INA,
            "/v1/webhooks",
            "{\"url\": \"https://example.com/hooks\", \"events\": [\"agent.session.idle\"]}");
    assertEquals(400, foreign.status(), foreign.toString());
    assertEquals("host_not_allowed", foreign.errorCode());
    assertEquals("url", foreign.json().at("/error/param").asText());
    Response ftp =
        api.post(
            INA,
            "/v1/webhooks",
            "{\"url\": \"ftp://127.0.0.1/hooks\", \"events\": [\"agent.session.idle\"]}");
    assertEquals(400, ftp.status());
    assertEquals("url", ftp.json().at("/error/param").asText());
    Response unknown =
        api.post(
            INA,
            "/v1/webhooks",
            "{\"url\": \"http://127.0.0.1:9/hooks\", \"events\": [\"agent.session.nope\"]}");
    assertEquals(400, unknown.status());
    assertEquals("events", unknown.json().at("/error/param").asText());
    assertEquals(before, outbox("initech"));
    assertEquals(0, api.get(INA, "/v1/webhooks").json().get("data").size());

    for (int i = 0; i < 3; i++) {
      register(INA, "http://127.0.0.1:9/hooks", "agent.session.failed");
    }
    String three = outbox("initech");
    Response full =
        api.post(
            INA,
            "/v1/webhooks",
            "{\"url\": \"http://127.0.0.1:9/hooks\", \"events\": [\"agent.session.failed\"]}");
    assertEquals(400, full.status());
    assertEquals("too_many_endpoints", full.errorCode());
    assertEquals("url", full.json().at("/error/param").asText());
    assertEquals(three, outbox("initech"));
    for (JsonNode e : api.get(INA, "/v1/webhooks").json().get("data")) {
      assertEquals(200, api.delete(INA, "/v1/webhooks/" + e.get("id").asText()).status());
    }
  }

  @Test
  void theSecretIsShownOnceAndNeverListedJournaledOrLogged() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    root.addAppender(logged);
    try (WebhookReceiver receiver = new WebhookReceiver(() -> 500)) {
      Response made = receiver.register(api, OLGA, "agent.session.created").made();
      String secret = made.json().get("secret").asText();
      String key = secret.substring("whsec_".length());
      String hook = made.json().get("id").asText();
      String id = TestNode.newId("secretive");
      api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\"}");
      receiver.await(r -> r.body().contains("\"" + id + "\""), 2, WAIT); // a failure, a retry

      Response one = api.get(OLGA, "/v1/webhooks/" + hook);
      Response all = api.get(OLGA, "/v1/webhooks");
      Response log = api.get(OLGA, "/v1/webhooks/" + hook + "/deliveries");
      assertEquals(200, one.status());
      assertFalse(one.json().has("secret"), one.toString());
      for (Response r : List.of(one, all, log)) {
        assertFalse(r.text().contains(key), r.toString());
      }
      String journaled = outbox("acme") + sessionJournal("acme", id);
      assertTrue(journaled.contains(hook), "the outbox journaled the endpoint");
      assertFalse(journaled.contains(key), "the secret is not in the journal");
      api.delete(OLGA, "/v1/webhooks/" + hook);
      List<String> lines =
          logged.list.stream()
              .map(e -> e.getFormattedMessage() + " " + e.getThrowableProxy())
              .toList();
      assertTrue(lines.stream().noneMatch(l -> l.contains(key)), "the secret is not logged");
    } finally {
      root.detachAppender(logged);
    }
  }

  @Test
  void anotherTenantAndAUserWithoutTheOperatorRoleCannotSeeOrRemoveTheEndpoint() {
    String hook = register(OLGA, "http://127.0.0.1:9/hooks", "agent.session.failed");
    String before = outbox("acme");
    for (String path :
        List.of(
            "/v1/webhooks/" + hook,
            "/v1/webhooks/" + hook + "/deliveries",
            "/v1/webhooks/" + hook + "/deliveries/evt_x/redeliver")) {
      Response r = path.endsWith("redeliver") ? api.post(OTTO, path, null) : api.get(OTTO, path);
      assertEquals(404, r.status(), path + ": " + r);
      assertEquals("webhook_not_found", r.errorCode());
      Response user = path.endsWith("redeliver") ? api.post(ADA, path, null) : api.get(ADA, path);
      assertEquals(403, user.status(), path + ": " + user);
      assertEquals("role_missing", user.errorCode());
    }
    Response deleted = api.delete(OTTO, "/v1/webhooks/" + hook);
    assertEquals(404, deleted.status());
    assertEquals(403, api.delete(ADA, "/v1/webhooks/" + hook).status());
    assertFalse(api.get(OTTO, "/v1/webhooks").text().contains(hook));
    assertEquals(before, outbox("acme"));
    assertEquals(200, api.get(OLGA, "/v1/webhooks/" + hook).status());
    assertEquals(200, api.delete(OLGA, "/v1/webhooks/" + hook).status());
    assertEquals(404, api.get(OLGA, "/v1/webhooks/" + hook).status());
  }

  private static String register(String key, String url, String event) {
    return WebhookReceiver.registerAt(api, key, url, event).json().get("id").asText();
  }

  /** The event type the SDK read from a verified delivery, checking it is about {@code id}. */
  private static String type(OpenAIClient sdk, WebhookReceiver.Received r, String id) {
    UnwrapWebhookEvent event = WebhookReceiver.unwrap(sdk, r);
    if (event.agentSessionCreated().isPresent()) {
      assertEquals(id, event.agentSessionCreated().get().data().id());
      return "agent.session.created";
    } else if (event.agentSessionInProgress().isPresent()) {
      assertEquals(id, event.agentSessionInProgress().get().data().id());
      return "agent.session.in_progress";
    } else if (event.agentSessionIdle().isPresent()) {
      assertEquals(id, event.agentSessionIdle().get().data().id());
      return "agent.session.idle";
    }
    return "unexpected: " + r.body();
  }

  private static String outbox(String tenant) {
    return PersistenceTestKit.create(node.system)
        .persistedInStorage(PersistenceId.of(WebhookEntity.TYPE_KEY.name(), tenant).id())
        .toString();
  }

  private static String sessionJournal(String tenant, String id) {
    return PersistenceTestKit.create(node.system)
        .persistedInStorage(
            PersistenceId.of(SessionEntity.TYPE_KEY.name(), SessionEntity.entityId(tenant, id))
                .id())
        .toString();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static JsonNode eventually(
      java.util.function.Supplier<JsonNode> read, java.util.function.Predicate<JsonNode> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    JsonNode last = read.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached: " + last);
      }
      Thread.sleep(50);
      last = read.get();
    }
    return last;
  }
}
