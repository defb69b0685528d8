package io.agentruntime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import java.util.Map;

/**
 * A fresh session with something behind every path parameter of the API: a memory entry {@code k},
 * an HTTP tool {@code t} that the policy asks about, a turn waiting for the approval of a call of
 * {@code t}, and a vault of the session's owner with one credential. Tool {@code t} goes where the
 * documented example of {@code PUT .../tools/{name}} goes, so that the example is a change its
 * owner may make (only an operator retargets a tool).
 */
record FixtureSession(String id, Map<String, String> params) {

  static FixtureSession create(Api api, String key, String prefix) {
    String id = TestNode.newId(prefix);
    Response created =
        api.post(
            key,
            "/v1/sessions",
            """
        {"id": "%s", "memory": {"k": "owner's"},
         "tools": [{"name": "t", "kind": "http", "url": "http://127.0.0.1:9000/send_email",
                    "idempotent": false, "secretRef": "EMAIL_TOKEN"}],
         "permissions": {"tools": {"t": "ask"}}}
        """
                .formatted(id));
    assertEquals(201, created.status(), created.toString());
    String session = "/v1/sessions/" + id;
    Response waiting =
        api.post(
            key, session + "/messages?waitSeconds=10", "{\"content\": \"/tool t {\\\"x\\\": 1}\"}");
    assertEquals("awaiting_approval", waiting.json().path("status").asText(), waiting.toString());
    JsonNode approvals = api.get(key, session + "/approvals").json();
    assertEquals(1, approvals.size(), approvals.toString());
    // One vault and credential per key, found again by their Idempotency-Key: a tenant's vaults
    // are bounded.
    Response vault =
        api.send(
            "POST",
            "/v1/vaults",
            key,
            "{\"name\": \"fixture\", \"scope\": \"user\"}",
            Map.of("Idempotency-Key", "fixture-vault"));
    assertEquals(200, vault.status(), vault.toString());
    String vaultId = vault.json().get("id").asText();
    Response credential =
        api.send(
            "POST",
            "/v1/vaults/" + vaultId + "/credentials",
            key,
            "{\"name\": \"fixture\", \"auth\": {\"type\": \"static_bearer\", \"mcp_server_url\":"
                + " \"http://127.0.0.1:9000/mcp\", \"token\": \"fixture-token\"}}",
            Map.of("Idempotency-Key", "fixture-credential"));
    assertEquals(200, credential.status(), credential.toString());
    Response agent = api.post(key, "/v1/agents", "{\"model\": \"default\"}");
    assertEquals(200, agent.status(), agent.toString());
    return new FixtureSession(
        id,
        Map.ofEntries(
            Map.entry("agent_id", agent.json().get("id").asText()),
            Map.entry("id", id),
            Map.entry("session_id", id),
            Map.entry("turn_id", waiting.json().get("turnId").asText()),
            Map.entry("key", "k"),
            Map.entry("name", "t"),
            Map.entry("turnId", waiting.json().get("turnId").asText()),
            Map.entry("approvalId", approvals.get(0).get("id").asText()),
            Map.entry("vault_id", vaultId),
            Map.entry("credential_id", credential.json().get("id").asText()),
            // No such webhook endpoint: its routes answer 404 (another tenant's, the same).
            Map.entry("webhookId", "we_fixture"),
            Map.entry("eventId", "evt_fixture"),
            // No such schedule: its routes answer 404 schedule_not_found on a session one sees.
            Map.entry("scheduleId", "sched_fixture"),
            // No member of the cluster: a leave answers 404 (and never makes the test node leave).
            Map.entry("node", "127.0.0.1:1")));
  }

  /** The operation's path on this session; a parameter it has no value for fails the test. */
  String path(DocumentedOperation op) {
    return op.path(
        name -> {
          String value = params.get(name);
          if (value == null) {
            throw new AssertionError(
                op + ": no value for path parameter {" + name + "}; add one to FixtureSession");
          }
          return value;
        });
  }
}
