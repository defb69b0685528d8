package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An approval nobody decided before its deadline expires (its own outcome, decision 0036), the turn
 * takes the path the approval states ({@code onExpiry} deny: the call is refused and the turn goes
 * on; fail: the turn fails), and a late decision is a 409 {@code approval_expired}.
 */
class ApprovalExpiryTest {

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start("agent-runtime.turns.approval-timeout = 1s");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** A session whose turn waits for approval of {@code echo}, under {@code echoPolicy}. */
  private static String awaiting(String echoPolicy) {
    String id = TestNode.newId("exp");
    String session = "/v1/sessions/" + id;
    Response created =
        node.api.post(
            ADA,
            "/v1/sessions",
            """
            {"id": "%s", "agent": {"model": "scripted"},
             "tools": [{"name": "echo", "kind": "http", "url": "http://127.0.0.1:9/echo"}],
             "permissions": {"tools": {"echo": %s}}}"""
                .formatted(id, echoPolicy));
    assertEquals(201, created.status(), created.toString());
    Response waiting =
        node.api.post(
            ADA,
            session + "/messages?waitSeconds=10",
            "{\"content\": \"/tool echo {\\\"to\\\": \\\"bob\\\"}\"}");
    assertEquals("awaiting_approval", waiting.json().get("status").asText(), waiting.toString());
    return session;
  }

  @Test
  void onExpiryDenyRefusesTheCallAndTheTurnGoesOn() throws Exception {
    String session = awaiting("\"ask\"");
    JsonNode approval = node.api.get(ADA, session + "/approvals").json().get(0);
    assertEquals("deny", approval.get("onExpiry").asText(), "the default, stated");
    String approvalId = approval.get("id").asText();
    String turnId = approval.get("turnId").asText();
    ApiKeysTest.eventually(() -> node.api.get(ADA, session + "/approvals").json().isEmpty());

    Response late =
        node.api.post(ADA, session + "/approvals/" + approvalId, "{\"decision\": \"approve\"}");
    assertEquals(409, late.status(), late.toString());
    assertEquals("approval_expired", late.errorCode());
    assertEquals(
        "completed",
        node.api
            .get(ADA, session + "/turns/" + turnId + "?waitSeconds=10")
            .json()
            .get("status")
            .asText());
    assertEquals(
        "rejected",
        node.api.get(ADA, session + "/messages").json().at("/messages/2/outcome").asText());
    String events = eventTypes(session);
    assertEquals(true, events.contains("approval_expired"), events);
    assertEquals(false, events.contains("approval_denied"), "never silently a deny: " + events);
  }

  @Test
  void onExpiryFailEndsTheTurnFailed() throws Exception {
    String session = awaiting("{\"permission\": \"ask\", \"onExpiry\": \"fail\"}");
    assertEquals(
        "fail",
        node.api.get(ADA, session).json().at("/permissions/tools/echo/onExpiry").asText(),
        "the policy shows what it says");
    JsonNode approval = node.api.get(ADA, session + "/approvals").json().get(0);
    assertEquals("fail", approval.get("onExpiry").asText());
    String approvalId = approval.get("id").asText();
    String turnId = approval.get("turnId").asText();

    // A turn that waits for approval has settled for waitSeconds: poll until the expiry ends it.
    ApiKeysTest.eventually(
        () ->
            "failed"
                .equals(
                    node.api.get(ADA, session + "/turns/" + turnId).json().get("status").asText()));
    JsonNode turn = node.api.get(ADA, session + "/turns/" + turnId).json();
    assertEquals("failed", turn.get("status").asText(), turn.toString());
    assertEquals("approval_expired", turn.at("/error/code").asText(), turn.toString());
    Response late =
        node.api.post(ADA, session + "/approvals/" + approvalId, "{\"decision\": \"approve\"}");
    assertEquals(409, late.status(), late.toString());
    assertEquals("approval_expired", late.errorCode());
    assertEquals(
        "rejected",
        node.api.get(ADA, session + "/messages").json().at("/messages/2/outcome").asText(),
        "the call has its one outcome");
    String events = eventTypes(session);
    assertEquals(true, events.contains("approval_expired"), events);
    assertEquals(false, events.contains("approval_denied"), "never silently a deny: " + events);
  }

  @Test
  void aBadOnExpiryIsRefusedNamingItAndCreatesNothing() {
    String id = TestNode.newId("exp");
    Response r =
        node.api.post(
            ADA,
            "/v1/sessions",
            """
            {"id": "%s", "permissions": {"tools": {"echo": {"permission": "ask", "onExpiry": "later"}}}}"""
                .formatted(id));
    assertEquals(400, r.status(), r.toString());
    assertEquals("permissions.tools.echo.onExpiry", r.json().at("/error/param").asText());
    assertEquals(404, node.api.get(ADA, "/v1/sessions/" + id).status());
  }

  /** The types of the session's journaled events, as its event stream names them. */
  private static String eventTypes(String session) {
    long lastSeq = node.api.get(ADA, session).json().get("lastSeq").asLong();
    StringBuilder types = new StringBuilder();
    try (SseClient sse = SseClient.open(node.api, ADA, session + "/events")) {
      for (SseClient.Event e : sse.journaledUpTo(lastSeq)) {
        types.append(e.type()).append(' ');
      }
    }
    return types.toString();
  }
}
