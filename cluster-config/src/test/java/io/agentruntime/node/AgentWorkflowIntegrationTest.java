package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.persistence.testing.TestCassandra;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.RecordingToolServer.Reply;
import io.agentruntime.runtime.testing.TestMcpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-step tool workflow over HTTP against a node on the real Cassandra: an OpenAI-compatible
 * model (streaming, tool calls), an HTTP tool, a real MCP server, one approval; and SSE clients
 * that see every journaled event once and in order, also after reconnecting with Last-Event-ID.
 */
class AgentWorkflowIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final FakeOpenAiServer model = FakeOpenAiServer.start();
  private final RecordingToolServer tools = RecordingToolServer.start();
  private final TestMcpServer mcp = TestMcpServer.start();
  private Node node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.stop(Duration.ofSeconds(30));
    }
    model.close();
    tools.close();
    mcp.close();
  }

  @Test
  void aThreeStepWorkflowWithOneApprovalCompletesAndIsStreamedOnce() throws Exception {
    tools.script("/lookup", Reply.json("{\"order\": \"42\", \"status\": \"shipped\"}"));
    tools.script("/send_email", Reply.json("{\"sent\": true}"));
    model.enqueue(
        FakeOpenAiServer.toolCalls(FakeOpenAiServer.call("c1", "lookup", "{\"order\": \"42\"}")),
        FakeOpenAiServer.toolCalls(
            FakeOpenAiServer.call("c2", "files__search", "{\"query\": \"refund policy\"}")),
        FakeOpenAiServer.toolCalls(
            FakeOpenAiServer.call("c3", "send_email", "{\"to\": \"ada@example.com\"}")),
        FakeOpenAiServer.text("Order 42 has shipped, and I emailed you the refund policy."));
    node =
        Node.start(
            TestNodes.config(
                TestCassandra.uniqueKeyspaceName("workflow_it"),
                TestKeysFile.write(dir),
                Map.of(
                    "agent-runtime.models.default.base-url", model.baseUrl(),
                    "agent-runtime.models.default.model", "fake-model",
                    "agent-runtime.session.events.read-journal",
                        "pekko.persistence.cassandra.query")));
    String base = TestNodes.baseUrl(node);
    HttpClientSupport ada = new HttpClientSupport(base, TestKeysFile.ADA);

    assertEquals(
        201,
        ada.put(
                "/v1/sessions/support",
                "{\"agent\": {\"instructions\": \"Help with orders.\"},"
                    + " \"tools\": [{\"name\": \"lookup\", \"kind\": \"http\", \"url\": \""
                    + tools.url("/lookup")
                    + "\", \"idempotent\": true},"
                    + " {\"name\": \"send_email\", \"kind\": \"http\", \"url\": \""
                    + tools.url("/send_email")
                    + "\"}],"
                    + " \"permissions\": {\"tools\": {\"send_email\": \"ask\", \"*\": \"allow\"}}}")
            .statusCode());
    var connected =
        ada.put(
            "/v1/sessions/support/tools/files",
            "{\"kind\": \"mcp\", \"url\": \"" + mcp.url() + "\", \"allow\": [\"search\"]}");
    assertEquals(200, connected.statusCode(), connected.body());

    try (SseReader first =
        SseReader.open(base + "/v1/sessions/support/events", TestKeysFile.ADA, null)) {
      var accepted =
          ada.post("/v1/sessions/support/messages", "{\"content\": \"Where is my order 42?\"}");
      assertEquals(202, accepted.statusCode(), accepted.body());
      String turnId = JSON.readTree(accepted.body()).path("turnId").asText();

      JsonNode paused =
          JSON.readTree(ada.get("/v1/sessions/support/turns/" + turnId + "?waitSeconds=30").body());
      assertEquals("awaiting_approval", paused.path("status").asText(), paused.toString());
      JsonNode approvals = JSON.readTree(ada.get("/v1/sessions/support/approvals").body());
      assertEquals(1, approvals.size());
      assertEquals("send_email", approvals.get(0).path("tool").asText());
      assertEquals("ada@example.com", approvals.get(0).path("arguments").path("to").asText());
      assertEquals(0, tools.count("/send_email"), "nothing is sent before the approval");
      var decided =
          ada.post(
              "/v1/sessions/support/approvals/" + approvals.get(0).path("id").asText(),
              "{\"decision\": \"approve\"}");
      assertEquals(200, decided.statusCode(), decided.body());

      JsonNode done =
          JSON.readTree(ada.get("/v1/sessions/support/turns/" + turnId + "?waitSeconds=30").body());
      assertEquals("completed", done.path("status").asText(), done.toString());
      assertEquals(
          "Order 42 has shipped, and I emailed you the refund policy.",
          done.path("output").asText());
      assertEquals(1, tools.count("/lookup"));
      assertEquals(1, tools.count("/send_email"));
      assertNotNull(tools.calls("/send_email").get(0).idempotencyKey());
      assertEquals(1, mcp.toolCalls("search").size());

      first.awaitType("turn_completed", Duration.ofSeconds(20));
      List<SseReader.Event> journaled =
          first.events().stream().filter(e -> e.id() != null).toList();
      for (int i = 0; i < journaled.size(); i++) {
        assertEquals(
            i + 1,
            Long.parseLong(journaled.get(i).id()),
            "every event once, in order: " + journaled);
      }
      List<String> types = journaled.stream().map(SseReader.Event::type).toList();
      assertEquals(4, types.stream().filter("assistant_message"::equals).count(), types.toString());
      assertEquals(
          3, types.stream().filter("tool_call_succeeded"::equals).count(), types.toString());
      assertTrue(
          types.containsAll(
              List.of(
                  "user_message",
                  "turn_started",
                  "approval_requested",
                  "approval_granted",
                  "turn_completed")),
          types.toString());
      assertTrue(
          first.events().stream().anyMatch(e -> e.id() == null && "delta".equals(e.type())),
          "model text streams as deltas");

      String resumeAfter =
          journaled.stream()
              .filter(e -> "approval_requested".equals(e.type()))
              .findFirst()
              .orElseThrow()
              .id();
      try (SseReader second =
          SseReader.open(base + "/v1/sessions/support/events", TestKeysFile.ADA, resumeAfter)) {
        second.awaitType("turn_completed", Duration.ofSeconds(20));
        List<SseReader.Event> replayed =
            second.events().stream().filter(e -> e.id() != null).toList();
        List<SseReader.Event> expected =
            journaled.subList(Integer.parseInt(resumeAfter), journaled.size());
        assertEquals(expected, replayed, "after reconnecting: nothing missed, nothing twice");
        assertFalse(replayed.isEmpty());
      }
    }
  }
}
