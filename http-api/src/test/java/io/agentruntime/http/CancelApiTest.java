package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.BOB;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/sessions/{id}/turns/{turnId}/cancel}. */
class CancelApiTest {

  private final Api api = TestNode.shared().api;

  private String session(String fields) {
    String id = TestNode.newId("cancel");
    Response created = api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\", " + fields + "}");
    assertEquals(201, created.status(), created.toString());
    return "/v1/sessions/" + id;
  }

  private String send(String session, String content) {
    return api.post(ADA, session + "/messages", "{\"content\": \"" + content + "\"}")
        .json()
        .get("turnId")
        .asText();
  }

  @Test
  void aRunningTurnIsCancelledOnceThenItsEndIsAConflict() {
    String session = session("\"agent\": {\"model\": \"stall\"}");
    String turnId = send(session, "think hard");

    Response cancelled = api.post(ADA, session + "/turns/" + turnId + "/cancel", null);
    assertEquals(200, cancelled.status(), cancelled.toString());
    assertEquals(turnId, cancelled.json().get("turnId").asText());
    assertEquals("cancelled", cancelled.json().get("status").asText());
    assertEquals("cancelled", cancelled.json().at("/error/code").asText());
    assertEquals("idle", api.get(ADA, session).json().get("status").asText());

    Response again = api.post(ADA, session + "/turns/" + turnId + "/cancel", null);
    assertEquals(409, again.status());
    assertEquals("turn_ended", again.errorCode());
  }

  @Test
  void anUnknownTurnIs404AndOnlyPostCancels() {
    String session = session("\"agent\": {\"model\": \"stall\"}");
    Response unknown = api.post(ADA, session + "/turns/turn_nope/cancel", null);
    assertEquals(404, unknown.status());
    assertEquals("turn_not_found", unknown.errorCode());
    String turnId = send(session, "x");
    Response get = api.get(ADA, session + "/turns/" + turnId + "/cancel");
    assertEquals(405, get.status());
    assertEquals("POST", get.header("Allow").orElseThrow());
  }

  @Test
  void aQueuedTurnCanBeCancelledWhileTheRunningOneGoesOn() {
    String session = session("\"agent\": {\"model\": \"stall\"}");
    String running = send(session, "first");
    String queued = send(session, "second");

    Response cancelled = api.post(ADA, session + "/turns/" + queued + "/cancel", "{}");
    assertEquals(200, cancelled.status());
    assertEquals("cancelled", cancelled.json().get("status").asText());
    assertEquals(
        "running", api.get(ADA, session + "/turns/" + running).json().get("status").asText());
    assertEquals(0, api.get(ADA, session).json().get("queuedMessages").asInt());
  }

  /**
   * Decision 0016 changed this test: it pinned "the open call gets a cancellation outcome". The
   * call was sent and never answered, so its outcome is unknown: it is in doubt, with an approval
   * of reason in_doubt, and the turn waits for an approver before it ends as cancelled.
   */
  @Test
  void aCallThatWasSentIsInDoubtAfterACancelAndTheTurnWaitsForAnApprover() throws Exception {
    String session =
        session(
            """
        "agent": {"model": "scripted"},
        "tools": [{"name": "hang", "kind": "http", "url": "http://127.0.0.1:9/hang"}],
        "permissions": {"tools": {"*": "allow"}}""");
    String turnId = send(session, "/tool hang {}");
    ApiKeysTest.eventually(
        () -> api.get(ADA, session + "/messages").json().get("messages").size() == 2);

    // A client waiting for the turn learns at once that it now waits for a human.
    CompletableFuture<Response> waiting =
        CompletableFuture.supplyAsync(
            () -> api.get(ADA, session + "/turns/" + turnId + "?waitSeconds=30"));
    Thread.sleep(300);
    Response cancelled = api.post(OLGA, session + "/turns/" + turnId + "/cancel", null);
    assertEquals(200, cancelled.status(), "operators may cancel");
    assertEquals("awaiting_approval", cancelled.json().get("status").asText());
    assertEquals("cancelled", cancelled.json().at("/error/code").asText(), "how it will end");
    assertEquals(
        "awaiting_approval", waiting.get(5, TimeUnit.SECONDS).json().get("status").asText());

    JsonNode messages = api.get(ADA, session + "/messages").json().get("messages");
    JsonNode outcome = messages.get(messages.size() - 1);
    assertEquals("tool", outcome.get("role").asText());
    assertEquals(
        messages.get(1).at("/toolCalls/0/id").asText(), outcome.get("toolCallId").asText());
    assertEquals("in_doubt", outcome.get("outcome").asText());
    JsonNode approvals = api.get(ADA, session + "/approvals").json();
    assertEquals("in_doubt", approvals.get(0).get("reason").asText());

    Response failed =
        api.post(
            ADA,
            session + "/approvals/" + approvals.get(0).get("id").asText(),
            "{\"decision\": \"fail\"}");
    assertEquals(200, failed.status(), failed.toString());
    assertEquals(
        "cancelled", api.get(ADA, session + "/turns/" + turnId).json().get("status").asText());
  }

  @Test
  void anotherUserCannotCancel() {
    String session = session("\"agent\": {\"model\": \"stall\"}");
    String turnId = send(session, "mine");
    Response r = api.post(BOB, session + "/turns/" + turnId + "/cancel", null);
    assertEquals(404, r.status());
    assertEquals("session_not_found", r.errorCode());
    assertTrue(
        api.get(ADA, session + "/turns/" + turnId).json().get("status").asText().equals("running"));
  }
}
