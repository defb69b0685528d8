package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import io.agentruntime.http.Api.Response;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Our own webhook events (decision 0036) through the same signed, durable outbox as the Agents
 * API's: a receiver subscribed to approvals and turns gets {@code approval.requested} with the
 * decision URL (absolute under the node's public base URL), a decision over HTTP at that URL, then
 * {@code approval.decided} and {@code turn.completed}; the official Java SDK verifies each.
 */
class OwnWebhookEventsApiTest {

  private static final String BASE = "https://agents.example.com";
  private static final TestNode node =
      TestNode.start("agent-runtime.webhooks.public-base-url = \"" + BASE + "/\"");
  private static final Api api = node.api;
  private static final Duration WAIT = Duration.ofSeconds(15);

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void approvalRequestedThenDecidedOverHttpThenTheTurnCompleted() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver(() -> 200)) {
      WebhookReceiver.Endpoint hook =
          receiver.register(
              api, OLGA, "approval.requested", "approval.decided", "turn.completed", "turn.failed");

      String session = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
      String id = session.substring("/v1/sessions/".length());
      JsonNode requested =
          hook.verified(receiver.await(r -> r.body().contains("\"" + id + "\""), 1, WAIT).get(0));
      assertEquals("approval.requested", requested.get("type").asText(), requested.toString());
      JsonNode row = requested.get("data");
      JsonNode listed = api.get(ADA, session + "/approvals").json().get(0);
      assertEquals(listed.get("id"), row.get("id"));
      assertEquals(id, row.get("sessionId").asText());
      assertEquals("echo", row.get("tool").asText());
      assertEquals("bob", row.at("/arguments/to").asText());
      assertEquals("policy", row.get("reason").asText());
      assertEquals("deny", row.get("onExpiry").asText());
      String decisionPath = session + "/approvals/" + listed.get("id").asText();
      assertEquals(BASE + decisionPath, row.get("decisionUrl").asText());

      Response decided =
          api.post(
              ADA,
              row.get("decisionUrl").asText().substring(BASE.length()),
              "{\"decision\": \"approve\"}");
      assertEquals(200, decided.status(), decided.toString());

      List<JsonNode> all =
          receiver.await(r -> r.body().contains("\"" + id + "\""), 3, WAIT).stream()
              .map(hook::verified)
              .toList();
      assertEquals(
          List.of("approval.requested", "approval.decided", "turn.completed"),
          all.stream().map(e -> e.get("type").asText()).toList());
      JsonNode decision = all.get(1).get("data");
      assertEquals("approve", decision.get("decision").asText());
      assertEquals("ada", decision.get("by").asText());
      assertEquals(listed.get("id"), decision.get("id"));
      JsonNode turn = all.get(2).get("data");
      assertEquals(listed.get("turnId"), turn.get("turnId"));
      assertEquals("completed", turn.get("status").asText());
      assertEquals(id, turn.get("sessionId").asText());
      // Each journaled change is one event with its own stable id.
      assertEquals(3, all.stream().map(e -> e.get("id").asText()).distinct().count());

      OpenAIClient wrong =
          WebhookReceiver.sdk("whsec_" + Base64.getEncoder().encodeToString(new byte[32]));
      assertThrows(
          Exception.class, () -> WebhookReceiver.verified(wrong, receiver.received.get(0)));
      api.delete(OLGA, "/v1/webhooks/" + hook.id());
    }
  }

  @Test
  void aScheduleThatFiresIsAnnouncedOnceWithItsTurn() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver(() -> 200)) {
      WebhookReceiver.Endpoint hook = receiver.register(api, OLGA, "schedule.fired");
      String id = TestNode.newId("fired");
      assertEquals(201, api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\"}").status());
      Response scheduled =
          api.post(
              ADA,
              "/v1/sessions/" + id + "/schedules",
              "{\"message\": \"wake up\", \"in\": \"PT1S\"}");
      assertEquals(201, scheduled.status(), scheduled.toString());

      JsonNode fired =
          hook.verified(receiver.await(r -> r.body().contains("\"" + id + "\""), 1, WAIT).get(0));
      assertEquals("schedule.fired", fired.get("type").asText(), fired.toString());
      JsonNode data = fired.get("data");
      assertEquals(scheduled.json().get("id"), data.get("scheduleId"));
      String turnId = data.get("turnId").asText();
      JsonNode turn = api.get(ADA, "/v1/sessions/" + id + "/turns/" + turnId).json();
      assertEquals(turnId, turn.get("turnId").asText(), "the firing's turn: " + turn);
      Thread.sleep(1_000);
      assertEquals(
          1,
          receiver.received.stream().filter(r -> r.body().contains("\"" + id + "\"")).count(),
          "one firing, one event");
      api.delete(OLGA, "/v1/webhooks/" + hook.id());
    }
  }

  @Test
  void theNewTypesAreRegistrableAndAnUnknownOneIsRefused() {
    Response made =
        WebhookReceiver.registerAt(
            api,
            OLGA,
            "http://127.0.0.1:9/hooks",
            "approval.expired",
            "tool_call.in_doubt",
            "budget.exceeded",
            "schedule.fired");
    api.delete(OLGA, "/v1/webhooks/" + made.json().get("id").asText());
    Response bad =
        api.post(
            OLGA,
            "/v1/webhooks",
            "{\"url\": \"http://127.0.0.1:9/hooks\", \"events\": [\"approval.maybe\"]}");
    assertEquals(400, bad.status(), bad.toString());
  }
}
