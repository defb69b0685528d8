package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that never sends the result of its function call (decision 0023): at {@code
 * approval-timeout} the call fails with {@code client_tool_timeout}, the model hears it and the
 * turn goes on; the session stops asking for the result (our API and the Agents API alike), and a
 * result sent after is the SDKs' "Unknown pending tool call" 400.
 */
class ClientToolExpiryApiTest {

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start("agent-runtime.turns.approval-timeout = 1s");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aCallTheClientNeverAnswersFailsAtItsDeadlineAndTheTurnGoesOn() throws Exception {
    String id = TestNode.newId("client-expiry");
    String session = "/v1/sessions/" + id;
    Response created =
        node.api.post(
            ADA,
            "/v1/sessions",
            "{\"id\": \""
                + id
                + "\", \"agent\": {\"model\": \"scripted\"}, \"tools\": [{\"name\": \"weather\","
                + " \"kind\": \"function\", \"parameters\": {\"type\": \"object\"}}],"
                + " \"permissions\": {\"tools\": {\"*\": \"allow\"}}}");
    assertEquals(201, created.status(), created.toString());

    Response sent =
        node.api.post(ADA, session + "/messages", "{\"content\": \"/tool weather {}\"}");
    assertEquals(202, sent.status(), sent.toString());
    String turnId = sent.json().get("turnId").asText();
    JsonNode waiting = node.api.get(ADA, session).json();
    String callId = waiting.at("/pendingClientCalls/0/callId").asText();
    assertTrue(!callId.isEmpty(), "the session waits for the client: " + waiting);

    // A wait on the turn answers at once while it waits for the client: poll past the deadline.
    ApiKeysTest.eventually(
        () ->
            "completed"
                .equals(
                    node.api.get(ADA, session + "/turns/" + turnId).json().get("status").asText()));
    JsonNode tool = node.api.get(ADA, session + "/messages").json().at("/messages/2");
    assertEquals("tool", tool.get("role").asText(), tool.toString());
    assertEquals("failed", tool.get("outcome").asText(), tool.toString());
    assertTrue(tool.toString().contains("client_tool_timeout"), tool.toString());

    JsonNode after = node.api.get(ADA, session).json();
    assertEquals("idle", after.get("status").asText());
    assertEquals(0, after.get("pendingClientCalls").size());
    JsonNode agents = node.api.get(ADA, "/v1/agents/sessions/" + id).json();
    assertEquals("idle", agents.get("status").asText(), agents.toString());

    Response late =
        node.api.post(
            ADA,
            session + "/turns/" + turnId + "/tool-results",
            "{\"callId\": \"" + callId + "\", \"success\": true, \"output\": \"sunny\"}");
    assertEquals(400, late.status(), late.toString());
    assertEquals("Unknown pending tool call: " + callId, late.errorMessage());
  }
}
