package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.session.SessionEntity;
import io.agentruntime.runtime.tools.ToolResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A failed journal write (a 503) restarts the session in place. Its approvals still expire at their
 * deadline, and a tool call that was running across the restart ends with the result the tool gave,
 * not in doubt.
 */
class RestartInPlaceApiTest {

  private static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    node =
        TestNode.start(
            "agent-runtime.turns.approval-timeout = 3s\nagent-runtime.session.ask-timeout = 2s");
    // Warm up sharding, so that only the failed writes, not the first allocation, can be slow.
    ApiKeysTest.eventually(() -> node.api.get(ADA, "/v1/sessions/warm-up").status() == 404);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /**
   * A write to the session fails in the journal: the client hears that it failed (503) or that its
   * outcome is unknown (504, decision 0034: a keyless write cannot be looked up), and the session
   * restarts in place.
   */
  private static void failAWrite(String session) {
    String id = session.substring("/v1/sessions/".length());
    PersistenceTestKit.create(node.system)
        .failNextPersisted("Session|" + SessionEntity.entityId("acme", id));
    Response put = node.api.put(ADA, session + "/memory/x", "1");
    assertTrue(put.status() == 503 || put.status() == 504, put.toString());
  }

  @Test
  void anApprovalStillExpiresAfterAFailedWrite() throws Exception {
    String session = ApprovalsApiTest.sessionAwaitingApproval(node.api, ADA);
    String turnId = node.api.get(ADA, session + "/approvals").json().at("/0/turnId").asText();

    failAWrite(session);

    ApiKeysTest.eventually(() -> node.api.get(ADA, session + "/approvals").json().isEmpty());
    JsonNode turn = node.api.get(ADA, session + "/turns/" + turnId + "?waitSeconds=10").json();
    assertEquals("completed", turn.get("status").asText(), turn.toString());
    assertEquals(
        "rejected",
        node.api.get(ADA, session + "/messages").json().at("/messages/2/outcome").asText());
  }

  @Test
  void aToolCallRunningAcrossAFailedWriteEndsWithItsResult() throws Exception {
    String id = TestNode.newId("inplace");
    String session = "/v1/sessions/" + id;
    Response created =
        node.api.post(
            ADA,
            "/v1/sessions",
            """
        {"id": "%s", "agent": {"model": "scripted"},
         "tools": [{"name": "gate", "kind": "http", "url": "http://127.0.0.1:9/gate"}],
         "permissions": {"tools": {"*": "allow"}}}"""
                .formatted(id));
    assertEquals(201, created.status(), created.toString());
    TestRuntime.gates.clear();
    Response sent =
        node.api.post(ADA, session + "/messages", "{\"content\": \"/tool gate {\\\"n\\\": 1}\"}");
    assertEquals(202, sent.status(), sent.toString());
    String turnId = sent.json().get("turnId").asText();
    CompletableFuture<ToolResult> gate = TestRuntime.gates.poll(10, TimeUnit.SECONDS);
    assertNotNull(gate, "the tool was called");

    failAWrite(session);
    Thread.sleep(500); // the session has restarted and looked at its running call
    gate.complete(new ToolResult.Succeeded(Api.JSON.createObjectNode().put("done", true)));

    JsonNode turn = node.api.get(ADA, session + "/turns/" + turnId + "?waitSeconds=10").json();
    assertEquals("completed", turn.get("status").asText(), turn.toString());
    JsonNode messages = node.api.get(ADA, session + "/messages").json().get("messages");
    assertEquals("succeeded", messages.get(2).get("outcome").asText(), messages.toString());
    assertTrue(node.api.get(ADA, session + "/approvals").json().isEmpty(), "nothing in doubt");
    assertTrue(TestRuntime.gates.isEmpty(), "the tool was called once");
  }
}
