package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.models.webhooks.AgentSessionActionRequiredWebhookEvent;
import com.openai.models.webhooks.UnwrapWebhookEvent;
import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Function tools the client runs (decision 0023) and steering (decision 0024) over HTTP, against a
 * node whose model is the OpenAI-compatible fake: the model's requests are what it was shown.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientToolsApiTest {

  private FakeOpenAiServer model;
  private TestNode node;
  private Api api;

  @BeforeAll
  void start() {
    model = FakeOpenAiServer.start();
    node = TestNode.overModel(model, "");
    api = node.api;
  }

  @AfterAll
  void stop() {
    node.close();
    model.close();
  }

  /** The runtime calls no tool in these tests: an HTTP tool's call fails, unsent. */
  private static final String WEATHER =
      """
      {"name": "weather", "kind": "function", "description": "The weather in a city",
       "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}""";

  /** A session with the client's function {@code weather} and {@code send_email}, which asks. */
  private String session() {
    String id = TestNode.newId("client-tools");
    Response created =
        api.post(
            ADA,
            "/v1/sessions",
            "{\"id\": \""
                + id
                + "\", \"tools\": ["
                + WEATHER
                + ", {\"name\": \"send_email\", \"kind\": \"http\", \"url\":"
                + " \"http://tools.internal/send_email\"}],"
                + " \"permissions\": {\"tools\": {\"send_email\": \"ask\", \"*\": \"allow\"}}}");
    assertEquals(201, created.status(), created.toString());
    return "/v1/sessions/" + id;
  }

  private String send(String session, String content) {
    Response sent = api.post(ADA, session + "/messages", "{\"content\": \"" + content + "\"}");
    assertEquals(202, sent.status(), sent.toString());
    return sent.json().get("turnId").asText();
  }

  private JsonNode awaitSession(String session, Predicate<JsonNode> condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = api.get(ADA, session).json();
      if (condition.test(last)) {
        return last;
      }
      sleep();
    }
    throw new AssertionError("the session never got there: " + last);
  }

  private JsonNode awaitTurn(String session, String turnId, String status) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = api.get(ADA, session + "/turns/" + turnId).json();
      if (status.equals(last.path("status").asText())) {
        return last;
      }
      sleep();
    }
    throw new AssertionError("the turn never became " + status + ": " + last);
  }

  private static String type(String webhookBody) {
    try {
      return Api.JSON.readTree(webhookBody).get("type").asText();
    } catch (java.io.IOException e) {
      throw new AssertionError(webhookBody, e);
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private Response toolResult(String session, String turnId, String key, String body) {
    return api.send(
        "POST",
        session + "/turns/" + turnId + "/tool-results",
        ADA,
        body,
        key == null ? Map.of() : Map.of("Idempotency-Key", key));
  }

  /** The messages of the model's request {@code n} (1-based) since {@code before} requests. */
  private List<String> shown(int index) {
    List<String> lines = new ArrayList<>();
    for (JsonNode m : model.requests().get(index).get("messages")) {
      String role = m.path("role").asText();
      if (role.equals("system")) {
        continue;
      }
      if (m.has("tool_calls") && !m.get("tool_calls").isEmpty()) {
        lines.add(role + " calls " + m.get("tool_calls").get(0).at("/function/name").asText());
      } else {
        lines.add(role + ": " + m.path("content").asText());
      }
    }
    return lines;
  }

  @Test
  void theModelCallsTheClientsFunctionAndItsResultCompletesTheTurn() {
    String session = session();
    model.enqueue(
        FakeOpenAiServer.toolCalls(FakeOpenAiServer.call("c1", "weather", "{\"city\":\"Oslo\"}")),
        FakeOpenAiServer.text("Sunny in Oslo."));
    int before = model.requests().size();
    String turnId = send(session, "weather in Oslo?");

    JsonNode waiting =
        awaitSession(session, s -> "awaiting_client".equals(s.path("status").asText()));
    JsonNode pending = waiting.get("pendingClientCalls").get(0);
    assertEquals("c1", pending.get("callId").asText());
    assertEquals("weather", pending.get("name").asText());
    assertEquals("Oslo", pending.at("/arguments/city").asText());
    assertEquals(turnId, pending.get("turnId").asText());
    JsonNode turn = api.get(ADA, session + "/turns/" + turnId).json();
    assertEquals("waiting", turn.get("status").asText());
    assertEquals("c1", turn.at("/clientCalls/0/callId").asText());
    JsonNode offered = model.requests().get(before).get("tools");
    assertTrue(offered.toString().contains("\"weather\""), offered::toString);

    Response answered =
        toolResult(
            session,
            turnId,
            null,
            "{\"callId\": \"c1\", \"success\": true, \"output\": \"sunny\"}");
    assertEquals(200, answered.status(), answered.toString());
    assertEquals(turnId, answered.json().get("turnId").asText());

    JsonNode done = awaitTurn(session, turnId, "completed");
    assertEquals("Sunny in Oslo.", done.get("output").asText());
    assertEquals(
        List.of("user: weather in Oslo?", "assistant calls weather", "tool: \"sunny\""),
        shown(before + 1));
    assertEquals("idle", api.get(ADA, session).json().get("status").asText());
    assertEquals(0, api.get(ADA, session).json().get("pendingClientCalls").size());

    // The stream shows the call journaled for the client, then its outcome.
    try (SseClient events = SseClient.open(api, ADA, session + "/events")) {
      List<String> types =
          events.until(e -> "turn_completed".equals(e.type())).stream()
              .map(SseClient.Event::type)
              .toList();
      assertTrue(
          types.indexOf("client_tool_call_requested") < types.indexOf("tool_call_succeeded"),
          types::toString);
    }
  }

  /**
   * The Agents API's webhooks: a turn that waits for the client's result is an {@code
   * action_required} of type {@code function_call} (read by the official SDK's {@code unwrap}), and
   * the turn running again after it is an {@code in_progress} of its own, not taken by the outbox
   * for the turn's start.
   */
  @Test
  void theWaitForTheClientIsAnActionRequiredAndRunningAgainIsAnnounced() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver(() -> 200)) {
      WebhookReceiver.Endpoint hook =
          receiver.register(
              api,
              OLGA,
              "agent.session.in_progress",
              "agent.session.requires_action",
              "agent.session.idle");
      String session = session();
      String id = session.substring(session.lastIndexOf('/') + 1);
      model.enqueue(
          FakeOpenAiServer.toolCalls(FakeOpenAiServer.call("c1", "weather", "{\"city\":\"Rome\"}")),
          FakeOpenAiServer.text("Sunny in Rome."));
      String turnId = send(session, "weather in Rome?");
      awaitSession(session, s -> "awaiting_client".equals(s.path("status").asText()));
      assertEquals(
          200,
          toolResult(
                  session,
                  turnId,
                  null,
                  "{\"callId\": \"c1\", \"success\": true, \"output\": \"sunny\"}")
              .status());
      awaitTurn(session, turnId, "completed");

      List<WebhookReceiver.Received> got =
          receiver.await(r -> r.body().contains("\"" + id + "\""), 4, Duration.ofSeconds(10));
      assertEquals(
          List.of(
              "agent.session.in_progress",
              "agent.session.action_required",
              "agent.session.in_progress",
              "agent.session.idle"),
          got.stream().map(r -> type(r.body())).toList());
      assertEquals(4, got.stream().map(WebhookReceiver.Received::id).distinct().count());
      UnwrapWebhookEvent event = hook.unwrap(got.get(1));
      assertEquals(
          AgentSessionActionRequiredWebhookEvent.Data.RequiredAction.Type.FUNCTION_CALL,
          event.agentSessionActionRequired().orElseThrow().data().requiredAction().type());
      api.delete(OLGA, "/v1/webhooks/" + hook.id());
    }
  }

  @Test
  void anUnknownCallIsA400WithTheSdkMessageAndItsKeyIsNotKept() {
    String session = session();
    model.enqueue(
        FakeOpenAiServer.toolCalls(FakeOpenAiServer.call("c1", "weather", "{\"city\":\"Oslo\"}")),
        FakeOpenAiServer.text("ok"));
    String turnId = send(session, "weather?");
    awaitSession(session, s -> "awaiting_client".equals(s.path("status").asText()));

    Response unknown =
        toolResult(session, turnId, "key-1", "{\"callId\": \"call_nope\", \"success\": true}");
    assertEquals(400, unknown.status(), unknown.toString());
    assertEquals("unknown_tool_call", unknown.errorCode());
    assertEquals("Unknown pending tool call: call_nope", unknown.errorMessage());
    assertEquals(
        "waiting", api.get(ADA, session + "/turns/" + turnId).json().get("status").asText());

    // The same key, now for the call that waits: processed, not answered from a cache.
    Response accepted =
        toolResult(
            session,
            turnId,
            "key-1",
            "{\"callId\": \"c1\", \"success\": false, \"error\": \"Tool handler failed.\"}");
    assertEquals(200, accepted.status(), accepted.toString());
    Response repeated =
        toolResult(
            session,
            turnId,
            "key-1",
            "{\"callId\": \"c1\", \"success\": false, \"error\": \"Tool handler failed.\"}");
    assertEquals(200, repeated.status(), "the duplicate answers as the first did: " + repeated);
    assertEquals(turnId, repeated.json().get("turnId").asText());
    Response stale =
        toolResult(session, turnId, "key-2", "{\"callId\": \"c1\", \"success\": true}");
    assertEquals(400, stale.status());
    assertEquals("Unknown pending tool call: c1", stale.errorMessage());
    awaitTurn(session, turnId, "completed");
  }

  @Test
  void aFunctionIsConnectedWithoutAUrlAndShownWithItsKind() {
    String session = session();
    Response put =
        api.put(
            ADA,
            session + "/tools/forecast",
            "{\"kind\": \"function\", \"description\": \"Five days ahead\"}");
    assertEquals(200, put.status(), put.toString());
    JsonNode tools = api.get(ADA, session).json().get("tools");
    JsonNode forecast = null;
    for (JsonNode t : tools) {
      if ("forecast".equals(t.path("name").asText())) {
        forecast = t;
      }
    }
    assertEquals("function", forecast.get("kind").asText(), tools::toString);
    assertEquals("Five days ahead", forecast.get("description").asText());
    assertTrue(!forecast.has("url"), forecast::toString);
    Response badSchema =
        api.put(ADA, session + "/tools/forecast", "{\"kind\": \"function\", \"parameters\": [1]}");
    assertEquals(400, badSchema.status(), badSchema.toString());
  }

  @Test
  void aBadToolResultBodyIsA400NamingTheField() {
    String session = session();
    Response bad =
        toolResult(
            session, "turn_x", null, "{\"callId\": \"c1\", \"success\": true, \"output\": 5}");
    assertEquals(400, bad.status());
    assertEquals("invalid_field", bad.errorCode());
    Response missing = toolResult(session, "turn_x", null, "{\"callId\": \"c1\"}");
    assertEquals(400, missing.status());
  }

  @Test
  void aSteeringMessageReachesTheModelsNextRequest() {
    String session = session();
    model.enqueue(
        FakeOpenAiServer.toolCalls(FakeOpenAiServer.call("c1", "weather", "{\"city\":\"Oslo\"}")),
        FakeOpenAiServer.text("10 degrees Celsius."));
    int before = model.requests().size();
    String turnId = send(session, "weather in Oslo?");
    awaitSession(session, s -> "awaiting_client".equals(s.path("status").asText()));

    Response steered =
        api.post(
            ADA,
            session + "/messages",
            "{\"content\": \"in Celsius, please\", \"onBusy\": \"steer\"}");
    assertEquals(202, steered.status(), steered.toString());
    assertEquals(turnId, steered.json().get("turnId").asText(), "it names the turn it steered");

    toolResult(
        session, turnId, null, "{\"callId\": \"c1\", \"success\": true, \"output\": \"10 C\"}");
    awaitTurn(session, turnId, "completed");
    assertEquals(
        List.of(
            "user: weather in Oslo?",
            "assistant calls weather",
            "tool: \"10 C\"",
            "user: in Celsius, please"),
        shown(before + 1));
    assertEquals(1, api.get(ADA, session + "/turns").json().get("turns").size(), "no new turn");
  }

  @Test
  void steeringATurnThatWaitsForAnApprovalIsAConflict() {
    String session = session();
    model.enqueue(
        FakeOpenAiServer.toolCalls(FakeOpenAiServer.call("c1", "send_email", "{\"to\":\"bob\"}")));
    String turnId = send(session, "mail bob");
    awaitSession(session, s -> "awaiting_approval".equals(s.path("status").asText()));
    long seq = api.get(ADA, session).json().get("lastSeq").asLong();

    Response refused =
        api.post(ADA, session + "/messages", "{\"content\": \"hurry\", \"onBusy\": \"steer\"}");
    assertEquals(409, refused.status(), refused.toString());
    assertEquals("active_turn_not_steerable", refused.errorCode());
    assertEquals(seq, api.get(ADA, session).json().get("lastSeq").asLong(), "nothing journaled");
    api.post(ADA, session + "/turns/" + turnId + "/cancel", null);
  }
}
