package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.testing.FakeReply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A function tool run by the client (decision 0023) on a two-node cluster of real processes: the
 * session lives on one node and the client talks only to the other, as a load balancer may send it.
 * The call is announced there, a wrong call id is refused there, and the result sent there
 * completes the turn once.
 */
class ClientToolsAcrossNodesIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  private final FakeOpenAiServer model = FakeOpenAiServer.start();
  private ProcessCluster cluster;

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    model.close();
  }

  @Test
  void aToolResultSentThroughTheNodeThatDoesNotHostTheSessionCompletesItsTurn() throws Exception {
    model.whenIdle(
        request -> {
          JsonNode messages = request.path("messages");
          JsonNode last = messages.get(messages.size() - 1);
          return "tool".equals(last.path("role").asText())
              ? FakeReply.text("The weather: " + last.path("content").asText())
              : FakeReply.toolCalls(FakeOpenAiServer.call("call_x", "weather", "{}"));
        });
    cluster =
        new ProcessCluster(
            home,
            Map.of(
                "AGENT_RUNTIME_MODEL_BASE_URL",
                model.baseUrl(),
                "AGENT_RUNTIME_MODEL_NAME",
                "fake-model"));
    cluster.startNode();
    cluster.startNode();
    cluster.awaitMembersUp(2);
    HttpClientSupport other = cluster.client(1);

    String base = "/v1/sessions/" + sessionHostedBy(0, other);
    var accepted = other.post(base + "/messages", "{\"content\": \"weather?\"}");
    assertEquals(202, accepted.statusCode(), accepted.body());
    String turn = base + "/turns/" + JSON.readTree(accepted.body()).path("turnId").asText();
    awaitStatus(other, turn, "waiting");
    JsonNode session = JSON.readTree(other.get(base).body());
    assertEquals("awaiting_client", session.path("status").asText(), session.toString());
    assertEquals("call_x", session.path("pendingClientCalls").get(0).path("callId").asText());

    var wrong =
        other.post(
            turn + "/tool-results",
            "{\"callId\": \"call_y\", \"success\": true, \"output\": \"x\"}");
    assertEquals(400, wrong.statusCode(), wrong.body());
    assertTrue(wrong.body().contains("Unknown pending tool call: call_y"), wrong.body());

    var result =
        other.post(
            turn + "/tool-results",
            "{\"callId\": \"call_x\", \"success\": true, \"output\": \"sunny\"}");
    assertEquals(200, result.statusCode(), result.body());
    JsonNode done = JSON.readTree(other.get(turn + "?waitSeconds=30").body());
    assertEquals("completed", done.path("status").asText(), done.toString());
    assertEquals("The weather: \"sunny\"", done.path("output").asText());
    assertEquals(2, model.requests().size(), "asked once for the call, once with its result");
    assertEquals(0, cluster.hostOf(base.substring("/v1/sessions/".length())), "it never moved");
  }

  /** Creates sessions through {@code client} until one lives on node {@code host}; its id. */
  private String sessionHostedBy(int host, HttpClientSupport client) throws Exception {
    String spec =
        "{\"agent\": {\"model\": \"default\"}, \"tools\": [{\"name\": \"weather\", \"kind\":"
            + " \"function\", \"parameters\": {\"type\": \"object\"}}],"
            + " \"permissions\": {\"tools\": {\"*\": \"allow\"}}}";
    for (int i = 0; i < 40; i++) {
      String id = "across-" + i;
      var created = client.put("/v1/sessions/" + id, spec);
      assertEquals(201, created.statusCode(), created.body());
      if (cluster.hostOf(id) == host) {
        return id;
      }
    }
    throw new AssertionError("no session landed on node " + host);
  }

  private static void awaitStatus(HttpClientSupport client, String turn, String status)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode now = null;
    while (System.nanoTime() < deadline) {
      now = JSON.readTree(client.get(turn).body());
      if (status.equals(now.path("status").asText())) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the turn is not " + status + ": " + now);
  }
}
