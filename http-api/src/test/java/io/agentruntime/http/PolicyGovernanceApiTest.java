package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.BOB;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import org.junit.jupiter.api.Test;

/**
 * Policy is governance (review finding 4, scenarios a to d), over HTTP: the session owner, with
 * only the user role, may tighten its policy but not loosen it, and may not retarget a tool; a tool
 * changed while its approval waits is asked about again; an approval of a call the policy now
 * denies rejects the call. The tenant ceiling has its own node: {@link TenantPolicyApiTest}.
 */
class PolicyGovernanceApiTest {

  private final Api api = TestNode.shared().api;

  /** A session of {@code owner} with tool {@code echo} and {@code policy} as its permissions. */
  private String session(String owner, String policy) {
    String id = TestNode.newId("gov");
    Response created =
        api.post(
            owner,
            "/v1/sessions",
            """
        {"id": "%s", "agent": {"model": "scripted"},
         "tools": [{"name": "echo", "kind": "http", "url": "http://127.0.0.1:9/echo"}],
         "permissions": {"tools": %s}}"""
                .formatted(id, policy));
    assertEquals(201, created.status(), created.toString());
    return "/v1/sessions/" + id;
  }

  private JsonNode permissions(String session) {
    return api.get(ADA, session).json().at("/permissions/tools");
  }

  @Test
  void aUserMayTightenTheSessionsPolicyButNotLoosenIt() {
    String session = session(ADA, "{\"echo\": \"ask\"}");

    Response loosened = api.put(ADA, session + "/permissions", "{\"tools\": {\"*\": \"allow\"}}");
    assertEquals(403, loosened.status(), "scenario a: " + loosened);
    assertEquals("forbidden", loosened.errorCode());
    assertTrue(loosened.errorMessage().contains("echo"), loosened.errorMessage());
    assertEquals("{\"echo\":\"ask\"}", permissions(session).toString(), "unchanged");

    Response newTool =
        api.put(
            ADA,
            session + "/permissions",
            "{\"tools\": {\"echo\": \"ask\", \"other\": \"allow\"}}");
    assertEquals(403, newTool.status(), "a tool the policy left to * (ask) is not allowed either");
    assertTrue(newTool.errorMessage().contains("other"), newTool.errorMessage());

    Response defaultLoosened =
        api.put(
            ADA, session + "/permissions", "{\"tools\": {\"echo\": \"deny\", \"*\": \"allow\"}}");
    assertEquals(403, defaultLoosened.status(), "* covers every tool of the future");
    assertTrue(defaultLoosened.errorMessage().contains("*"), defaultLoosened.errorMessage());

    Response tightened =
        api.put(
            ADA,
            session + "/permissions",
            "{\"tools\": {\"echo\": \"deny\", \"memory_write\": \"ask\", \"*\": \"deny\"}}");
    assertEquals(200, tightened.status(), tightened.toString());
    assertEquals("deny", permissions(session).path("echo").asText());

    Response back = api.put(ADA, session + "/permissions", "{\"tools\": {\"echo\": \"ask\"}}");
    assertEquals(403, back.status(), "deny -> ask loosens");
    assertEquals("deny", permissions(session).path("echo").asText());

    String bobs = session(BOB, "{\"echo\": \"deny\"}");
    assertEquals(
        403, api.put(BOB, bobs + "/permissions", "{\"tools\": {\"echo\": \"allow\"}}").status());
  }

  @Test
  void anOperatorMayLoosenTheSessionsPolicy() {
    String session = session(ADA, "{\"echo\": \"ask\"}");
    Response loosened = api.put(OLGA, session + "/permissions", "{\"tools\": {\"*\": \"allow\"}}");
    assertEquals(200, loosened.status(), loosened.toString());

    Response turn =
        api.post(ADA, session + "/messages?waitSeconds=10", "{\"content\": \"/tool echo {}\"}");
    assertEquals("completed", turn.json().path("status").asText(), turn.toString());
  }

  @Test
  void aUserMayNotRetargetAConnectedToolButMayAddAndRemoveTools() {
    String session = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
    String approvalId = pendingApproval(session).get("id").asText();
    String tool = session + "/tools/echo";

    for (String body :
        new String[] {
          "{\"kind\": \"http\", \"url\": \"http://127.0.0.1:9/wire_money\"}",
          "{\"kind\": \"http\", \"url\": \"http://127.0.0.1:9/echo\", \"secretRef\": \"PAYMENTS\"}",
          "{\"kind\": \"http\", \"url\": \"http://127.0.0.1:9/echo\", \"idempotent\": true}"
        }) {
      Response changed = api.put(ADA, tool, body);
      assertEquals(403, changed.status(), "scenarios b and d: " + body + " -> " + changed);
      assertEquals("forbidden", changed.errorCode());
    }
    JsonNode echo = api.get(ADA, session).json().at("/tools/0");
    assertEquals("http://127.0.0.1:9/echo", echo.path("url").asText(), echo.toString());
    assertEquals(approvalId, pendingApproval(session).get("id").asText(), "still the same");

    Response described =
        api.put(
            ADA,
            tool,
            "{\"kind\": \"http\", \"url\": \"http://127.0.0.1:9/echo\", \"description\": \"d\"}");
    assertEquals(200, described.status(), described.toString());
    assertEquals(
        approvalId,
        pendingApproval(session).get("id").asText(),
        "where the call goes did not change: the approval stands");

    Response added =
        api.put(
            ADA,
            session + "/tools/other",
            "{\"kind\": \"http\", \"url\": \"http://127.0.0.1:9/o\"}");
    assertEquals(200, added.status(), added.toString());
    assertEquals(200, api.delete(ADA, session + "/tools/other").status());
  }

  @Test
  void aToolChangedWhileItsApprovalWaitsIsAskedAboutAgain() {
    String session = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
    JsonNode asked = pendingApproval(session);
    assertEquals("http://127.0.0.1:9/echo", asked.at("/connection/url").asText(), asked.toString());

    Response retargeted =
        api.put(
            OLGA,
            session + "/tools/echo",
            "{\"kind\": \"http\", \"url\": \"http://127.0.0.1:9/wire_money\", \"secretRef\": \"PAYMENTS\"}");
    assertEquals(200, retargeted.status(), retargeted.toString());

    Response stale =
        api.post(
            ADA, session + "/approvals/" + asked.get("id").asText(), "{\"decision\": \"approve\"}");
    assertEquals(409, stale.status(), "scenario b: the approval given for the old tool " + stale);
    assertEquals("approval_decided", stale.errorCode());

    JsonNode again = pendingApproval(session);
    assertNotEquals(asked.get("id").asText(), again.get("id").asText());
    assertEquals(asked.get("toolCallId").asText(), again.get("toolCallId").asText());
    assertEquals("http://127.0.0.1:9/wire_money", again.at("/connection/url").asText());
    assertEquals("PAYMENTS", again.at("/connection/secretRef").asText());
    assertEquals("awaiting_approval", api.get(ADA, session).json().path("status").asText());
  }

  @Test
  void approvingACallThePolicyNowDeniesRejectsIt() {
    String session = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
    JsonNode asked = pendingApproval(session);
    Response denied = api.put(ADA, session + "/permissions", "{\"tools\": {\"echo\": \"deny\"}}");
    assertEquals(200, denied.status(), "tightening is the owner's right: " + denied);

    Response approved =
        api.post(
            ADA, session + "/approvals/" + asked.get("id").asText(), "{\"decision\": \"approve\"}");
    assertEquals(409, approved.status(), "scenario c: " + approved);
    assertEquals("tool_denied", approved.errorCode());

    JsonNode turn =
        api.get(ADA, session + "/turns/" + asked.get("turnId").asText() + "?waitSeconds=10").json();
    assertEquals("completed", turn.path("status").asText(), turn.toString());
    JsonNode outcome = toolOutcome(session);
    assertEquals("rejected", outcome.path("outcome").asText(), "never run: " + outcome);
  }

  private JsonNode pendingApproval(String session) {
    JsonNode list = api.get(ADA, session + "/approvals").json();
    assertEquals(1, list.size(), list.toString());
    return list.get(0);
  }

  private JsonNode toolOutcome(String session) {
    JsonNode messages = api.get(ADA, session + "/messages").json().get("messages");
    for (JsonNode m : messages) {
      if ("tool".equals(m.path("role").asText())) {
        return m;
      }
    }
    throw new AssertionError("no tool outcome in " + messages);
  }
}
