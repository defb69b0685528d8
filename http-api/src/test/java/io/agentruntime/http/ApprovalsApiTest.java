package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.BOB;
import static io.agentruntime.http.TestKeys.GUS;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Approvals over HTTP: the scripted model calls {@code echo}, which the session's policy says to
 * ask about, so the turn waits for a human.
 */
class ApprovalsApiTest {

  private final Api api = TestNode.shared().api;

  /** A session of {@code owner}'s whose turn waits for approval of {@code echo {"to": "bob"}}. */
  static String sessionAwaitingApproval(Api api, String owner) {
    String id = TestNode.newId("appr");
    String session = "/v1/sessions/" + id;
    Response created =
        api.post(
            owner,
            "/v1/sessions",
            """
        {"id": "%s", "agent": {"model": "scripted"},
         "tools": [{"name": "echo", "kind": "http", "url": "http://127.0.0.1:9/echo"}],
         "permissions": {"tools": {"echo": "ask"}}}"""
                .formatted(id));
    assertEquals(201, created.status(), created.toString());
    Response waiting =
        api.post(
            owner,
            session + "/messages?waitSeconds=10",
            "{\"content\": \"/tool echo {\\\"to\\\": \\\"bob\\\"}\"}");
    assertEquals(200, waiting.status(), waiting.toString());
    assertEquals(
        "awaiting_approval",
        waiting.json().get("status").asText(),
        "waitSeconds stops at a pause for approval");
    return session;
  }

  @Test
  void aPendingApprovalIsListedWithTheExactCall() {
    String session = sessionAwaitingApproval(api, ADA);
    JsonNode s = api.get(ADA, session).json();
    assertEquals("awaiting_approval", s.get("status").asText());
    assertEquals(1, s.get("pendingApprovals").asInt());

    Response list = api.get(ADA, session + "/approvals");
    assertEquals(200, list.status());
    assertTrue(list.json().isArray());
    assertEquals(1, list.json().size());
    JsonNode a = list.json().get(0);
    assertTrue(a.get("id").asText().startsWith("appr_"), a.toString());
    assertEquals(s.at("/currentTurn/id").asText(), a.get("turnId").asText());
    assertEquals("echo", a.get("tool").asText());
    assertEquals("bob", a.at("/arguments/to").asText());
    assertEquals("policy", a.get("reason").asText());
    assertEquals("pending", a.get("status").asText());
    Instant requested = Instant.parse(a.get("requestedAt").asText());
    assertTrue(Instant.parse(a.get("expiresAt").asText()).isAfter(requested));
    String toolCallId = a.get("toolCallId").asText();
    JsonNode messages = api.get(ADA, session + "/messages").json().get("messages");
    assertEquals(toolCallId, messages.get(1).at("/toolCalls/0/id").asText());
  }

  @Test
  void anApprovedCallRunsAndTheTurnCompletes() {
    String session = sessionAwaitingApproval(api, ADA);
    String approvalId = api.get(ADA, session + "/approvals").json().get(0).get("id").asText();

    Response decided =
        api.post(
            ADA,
            session + "/approvals/" + approvalId,
            "{\"decision\": \"approve\", \"comment\": \"fine\"}");
    assertEquals(200, decided.status(), decided.toString());
    assertEquals(approvalId, decided.json().get("id").asText());
    assertEquals("decided", decided.json().get("status").asText());
    assertEquals("approve", decided.json().get("decision").asText());
    assertEquals("ada", decided.json().get("decidedBy").asText());

    JsonNode turn =
        api.get(
                ADA,
                session + "/turns/" + decided.json().get("turnId").asText() + "?waitSeconds=10")
            .json();
    assertEquals("completed", turn.get("status").asText());
    assertTrue(turn.get("output").asText().contains("echoed"), turn.toString());
    assertEquals(0, api.get(ADA, session + "/approvals").json().size());

    Response again =
        api.post(ADA, session + "/approvals/" + approvalId, "{\"decision\": \"deny\"}");
    assertEquals(409, again.status());
    assertEquals("approval_decided", again.errorCode());
  }

  @Test
  void aDeniedCallIsRejectedAndNeverRuns() {
    String session = sessionAwaitingApproval(api, ADA);
    String approvalId = api.get(ADA, session + "/approvals").json().get(0).get("id").asText();

    Response denied =
        api.post(
            ADA,
            session + "/approvals/" + approvalId,
            "{\"decision\": \"deny\", \"comment\": \"not bob\"}");
    assertEquals(200, denied.status());
    assertEquals("deny", denied.json().get("decision").asText());

    JsonNode turn =
        api.get(ADA, session + "/turns/" + denied.json().get("turnId").asText() + "?waitSeconds=10")
            .json();
    assertEquals("completed", turn.get("status").asText());
    JsonNode messages = api.get(ADA, session + "/messages").json().get("messages");
    JsonNode outcome = messages.get(2);
    assertEquals("tool", outcome.get("role").asText());
    assertEquals("rejected", outcome.get("outcome").asText());
    assertTrue(outcome.get("content").asText().contains("not bob"), outcome.toString());
  }

  @Test
  void decidingNeedsTheApproverRole() {
    String adas = sessionAwaitingApproval(api, ADA);
    String approvalId = api.get(ADA, adas + "/approvals").json().get(0).get("id").asText();
    Response operator =
        api.post(OLGA, adas + "/approvals/" + approvalId, "{\"decision\": \"approve\"}");
    assertEquals(403, operator.status(), "an operator sees the session but is no approver");
    assertEquals("role_missing", operator.errorCode());
    assertEquals(
        1, api.get(OLGA, adas + "/approvals").json().size(), "listing needs no approver role");

    String bobs = sessionAwaitingApproval(api, BOB);
    String bobsApproval = api.get(BOB, bobs + "/approvals").json().get(0).get("id").asText();
    Response owner =
        api.post(BOB, bobs + "/approvals/" + bobsApproval, "{\"decision\": \"approve\"}");
    assertEquals(403, owner.status(), "owning the session is not enough");
    assertEquals("role_missing", owner.errorCode());
    assertEquals("pending", api.get(BOB, bobs + "/approvals").json().get(0).get("status").asText());

    assertEquals(
        404,
        api.post(GUS, adas + "/approvals/" + approvalId, "{\"decision\": \"approve\"}").status());
    assertEquals(404, api.get(GUS, adas + "/approvals").status());
  }

  @Test
  void decisionsAreChecked() {
    String session = sessionAwaitingApproval(api, ADA);
    String approvalId = api.get(ADA, session + "/approvals").json().get(0).get("id").asText();
    String path = session + "/approvals/" + approvalId;

    Response missing = api.post(ADA, path, "{}");
    assertEquals(400, missing.status());
    assertEquals("decision is required", missing.errorMessage());
    Response unknown = api.post(ADA, path, "{\"decision\": \"maybe\"}");
    assertEquals(400, unknown.status());
    assertEquals("invalid_field", unknown.errorCode());
    assertTrue(unknown.errorMessage().startsWith("decision"), unknown.errorMessage());
    Response wrongKind = api.post(ADA, path, "{\"decision\": \"retry\"}");
    assertEquals(400, wrongKind.status(), "retry is for in-doubt calls");
    assertTrue(wrongKind.errorMessage().contains("approve or deny"), wrongKind.errorMessage());
    assertEquals(400, api.post(ADA, path, "{\"decision\": \"approve\", \"comment\": 5}").status());

    Response noSuch =
        api.post(ADA, session + "/approvals/appr_nope", "{\"decision\": \"approve\"}");
    assertEquals(404, noSuch.status());
    assertEquals("approval_not_found", noSuch.errorCode());
    assertEquals(
        "pending", api.get(ADA, session + "/approvals").json().get(0).get("status").asText());
  }
}
