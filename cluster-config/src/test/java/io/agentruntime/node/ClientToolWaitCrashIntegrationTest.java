package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.persistence.testing.TestCassandra;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.testing.FakeReply;
import java.nio.file.Path;
import java.time.Duration;
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
    model.whenIdle(
        request -> {
          JsonNode messages = request.path("messages");
          JsonNode last = messages.get(messages.size() - 1);
          return "tool".equals(last.path("role").asText())
              ? FakeReply.text("The weather: " + last.path("content").asText())
              : FakeReply.toolCalls(
                  FakeOpenAiServer.call("call_1", "weather", "{\"city\":\"Oslo\"}"));
        });
    Path keys = TestKeysFile.write(home);
    Map<String, String> env =
        Map.of(
            "AGENT_RUNTIME_CASSANDRA_CONTACT_POINTS", TestCassandra.get().contactPoint(),
            "AGENT_RUNTIME_KEYS_FILE", keys.toString(),
            "AGENT_RUNTIME_MIGRATE_ON_START", "true",
            "AGENT_RUNTIME_MODEL_BASE_URL", model.baseUrl(),
            "AGENT_RUNTIME_MODEL_NAME", "fake-model");
    List<String> props =
        List.of(
            "-Dagent-runtime.cassandra.keyspace="
                + TestCassandra.uniqueKeyspaceName("client_wait_it"));

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
