package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.models.beta.agents.Agent;
import com.openai.models.beta.agents.AgentCreateParams;
import com.openai.models.beta.agents.AgentSession;
import com.openai.models.beta.agents.AgentSessionInputParam;
import com.openai.models.beta.agents.AgentSessionItem;
import com.openai.models.beta.agents.PersistedAgentToolParam;
import com.openai.models.beta.agents.sessions.SessionCreateParams;
import com.openai.models.beta.agents.sessions.events.EventCreateParams;
import com.openai.models.beta.agents.sessions.items.ItemListParams;
import io.agentruntime.persistence.testing.TestCassandra;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.testing.FakeReply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node process is killed with -9 while a turn waits for the client's result of a function
 * call (decision 0023). The next node serves the session still waiting, with the same pending call:
 * not in doubt, not run again, the model not asked again; the result sent to it completes the turn.
 */
class ClientToolWaitCrashIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  private final FakeOpenAiServer model = FakeOpenAiServer.start();

  @AfterEach
  void stopFake() {
    model.close();
  }

  @Test
  void aTurnWaitingForTheClientSurvivesAKillAndTheResultCompletesIt() throws Exception {
    modelAsksForTheWeather("call_1");
    Map<String, String> env = nodeEnvironment();
    List<String> props = keyspace("client_wait_it");

    NodeProcess first = NodeProcess.start("node", home, env, props);
    String turnId;
    try {
      first.awaitReady(Duration.ofSeconds(60));
      HttpClientSupport ada = new HttpClientSupport(first.baseUrl(), TestKeysFile.ADA);
      String spec =
          "{\"agent\": {\"model\": \"default\"}, \"tools\": [{\"name\": \"weather\", \"kind\":"
              + " \"function\", \"parameters\": {\"type\": \"object\"}}],"
              + " \"permissions\": {\"tools\": {\"*\": \"allow\"}}}";
      assertEquals(201, ada.put("/v1/sessions/waits", spec).statusCode());
      var accepted = ada.post("/v1/sessions/waits/messages", "{\"content\": \"weather?\"}");
      assertEquals(202, accepted.statusCode(), accepted.body());
      turnId = JSON.readTree(accepted.body()).path("turnId").asText();
      await(
          () -> "the turn waits for the client: " + turn(ada, turnId),
          () -> "waiting".equals(turn(ada, turnId).path("status").asText()));
    } finally {
      first.kill();
    }

    NodeProcess second = NodeProcess.start("node", home, env, props);
    try {
      second.awaitReady(Duration.ofSeconds(60));
      HttpClientSupport again = new HttpClientSupport(second.baseUrl(), TestKeysFile.ADA);
      JsonNode session = JSON.readTree(again.get("/v1/sessions/waits").body());
      assertEquals("awaiting_client", session.path("status").asText(), session.toString());
      JsonNode pending = session.path("pendingClientCalls").get(0);
      assertEquals("call_1", pending.path("callId").asText(), session.toString());
      assertEquals(turnId, pending.path("turnId").asText());
      JsonNode turn = turn(again, turnId);
      assertEquals("waiting", turn.path("status").asText(), turn.toString());
      assertEquals(1, model.requests().size(), "the model is not asked again");

      var result =
          again.post(
              "/v1/sessions/waits/turns/" + turnId + "/tool-results",
              "{\"callId\": \"call_1\", \"success\": true, \"output\": \"sunny\"}");
      assertEquals(200, result.statusCode(), result.body());
      JsonNode done =
          JSON.readTree(again.get("/v1/sessions/waits/turns/" + turnId + "?waitSeconds=30").body());
      assertEquals("completed", done.path("status").asText(), done.toString());
      assertEquals("The weather: \"sunny\"", done.path("output").asText());
      JsonNode messages =
          JSON.readTree(again.get("/v1/sessions/waits/messages").body()).path("messages");
      assertEquals(
          1,
          Stream.of(JSON.convertValue(messages, JsonNode[].class))
              .filter(m -> "tool".equals(m.path("role").asText()))
              .count(),
          "one outcome for the call: " + messages);
    } finally {
      second.terminate(Duration.ofSeconds(60));
    }
  }

  /**
   * The same through the OpenAI Agents API, driven by the official Java SDK unchanged: the session
   * waits for the client's result (requires_action, the call in required_actions), the node is
   * killed with -9, the next node shows the session still waiting with the same call, and the
   * result the SDK sends to it completes the turn.
   */
  @Test
  void anAgentsApiSessionWaitingForItsToolResultSurvivesAKillAndTheSdkCompletesIt()
      throws Exception {
    modelAsksForTheWeather("call_7");
    Map<String, String> env = nodeEnvironment();
    List<String> props = keyspace("agents_wait_it");

    NodeProcess first = NodeProcess.start("node", home, env, props);
    String sessionId;
    try {
      first.awaitReady(Duration.ofSeconds(60));
      OpenAIClient sdk = sdk(first);
      Agent agent =
          sdk.beta()
              .agents()
              .create(
                  AgentCreateParams.builder()
                      .model("default")
                      .addTool(
                          PersistedAgentToolParam.Function.builder()
                              .name("weather")
                              .description("The forecast for a city")
                              .parameters(
                                  PersistedAgentToolParam.Function.Parameters.builder()
                                      .putAdditionalProperty("type", JsonValue.from("object"))
                                      .build())
                              .build())
                      .build());
      sessionId =
          sdk.beta()
              .agents()
              .sessions()
              .create(
                  SessionCreateParams.builder()
                      .agentId(agent.id())
                      .environmentNone()
                      .input("weather in Oslo?")
                      .build())
              .id();
      String id = sessionId;
      await(
          () -> "the session waits for the client: " + retrieve(sdk, id),
          () -> retrieve(sdk, id).status().equals(AgentSession.Status.REQUIRES_ACTION));
    } finally {
      first.kill();
    }

    NodeProcess second = NodeProcess.start("node", home, env, props);
    try {
      second.awaitReady(Duration.ofSeconds(60));
      OpenAIClient sdk = sdk(second);
      AgentSession waiting = retrieve(sdk, sessionId);
      assertEquals(AgentSession.Status.REQUIRES_ACTION, waiting.status(), waiting.toString());
      var call = waiting.requiredActions().get(0).asFunctionCall();
      assertEquals("call_7", call.callId(), waiting.toString());
      assertEquals("weather", call.name());
      assertEquals(1, model.requests().size(), "the model is not asked again");

      sdk.beta()
          .agents()
          .sessions()
          .events()
          .create(
              sessionId,
              EventCreateParams.builder()
                  .addEvent(
                      AgentSessionInputParam.AgentSessionInputToolResult.builder()
                          .turnId(call.turnId())
                          .callId(call.callId())
                          .success(true)
                          .output("sunny")
                          .build())
                  .build());
      String id = sessionId;
      await(
          () -> "the session goes idle: " + retrieve(sdk, id),
          () -> retrieve(sdk, id).status().equals(AgentSession.Status.IDLE));
      List<AgentSessionItem> items = new ArrayList<>();
      sdk.beta()
          .agents()
          .sessions()
          .items()
          .list(sessionId, ItemListParams.builder().order(ItemListParams.Order.ASC).build())
          .autoPager()
          .forEach(items::add);
      assertEquals(
          1, items.stream().filter(AgentSessionItem::isFunctionCallOutput).count(), "" + items);
      AgentSessionItem last = items.get(items.size() - 1);
      assertTrue(last.isMessage(), items.toString());
      assertTrue(last.asMessage().toString().contains("The weather:"), last.toString());
      assertTrue(last.asMessage().toString().contains("sunny"), last.toString());
    } finally {
      second.terminate(Duration.ofSeconds(60));
    }
  }

  /** The model asks for {@code weather} (as call {@code callId}), then answers with its result. */
  private void modelAsksForTheWeather(String callId) {
    model.whenIdle(
        request -> {
          JsonNode messages = request.path("messages");
          JsonNode last = messages.get(messages.size() - 1);
          return "tool".equals(last.path("role").asText())
              ? FakeReply.text("The weather: " + last.path("content").asText())
              : FakeReply.toolCalls(
                  FakeOpenAiServer.call(callId, "weather", "{\"city\":\"Oslo\"}"));
        });
  }

  private Map<String, String> nodeEnvironment() throws java.io.IOException {
    return Map.of(
        "AGENT_RUNTIME_CASSANDRA_CONTACT_POINTS", TestCassandra.get().contactPoint(),
        "AGENT_RUNTIME_KEYS_FILE", TestKeysFile.write(home).toString(),
        "AGENT_RUNTIME_MIGRATE_ON_START", "true",
        "AGENT_RUNTIME_MODEL_BASE_URL", model.baseUrl(),
        "AGENT_RUNTIME_MODEL_NAME", "fake-model");
  }

  private static List<String> keyspace(String prefix) {
    return List.of(
        "-Dagent-runtime.cassandra.keyspace=" + TestCassandra.uniqueKeyspaceName(prefix));
  }

  private static OpenAIClient sdk(NodeProcess node) {
    return OpenAIOkHttpClient.builder()
        .baseUrl(node.baseUrl() + "/v1")
        .apiKey(TestKeysFile.ADA)
        .maxRetries(0)
        .build();
  }

  private static AgentSession retrieve(OpenAIClient sdk, String id) {
    return sdk.beta().agents().sessions().retrieve(id);
  }

  private static JsonNode turn(HttpClientSupport client, String turnId) {
    try {
      return JSON.readTree(client.get("/v1/sessions/waits/turns/" + turnId).body());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void await(java.util.function.Supplier<String> what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what.get());
      }
      Thread.sleep(100);
    }
  }
}
