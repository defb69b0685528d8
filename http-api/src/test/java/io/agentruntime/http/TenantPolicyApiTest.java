package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.GUS;
import static io.agentruntime.http.TestKeys.IVAN;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.session.TenantPolicyChanged;
import io.agentruntime.runtime.session.TenantPolicyEntity;
import java.util.List;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tenant's ceiling ({@code PUT /v1/policy}) over HTTP, on a node of its own (a ceiling applies
 * to every session of the tenant, and the shared node's tests must not feel it): an operator sets
 * it, it is journaled, it applies to sessions that existed before, an approval is checked against
 * it, another tenant never feels it, and bad bodies change nothing.
 */
class TenantPolicyApiTest {

  private static TestNode node;
  private static Api api;

  @BeforeAll
  static void start() {
    node = TestNode.start("");
    api = node.api;
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** A session of {@code owner} whose policy allows everything, with tool {@code echo}. */
  private static String openSession(String owner) {
    String id = TestNode.newId("ceil");
    Response created =
        api.post(
            owner,
            "/v1/sessions",
            """
        {"id": "%s", "agent": {"model": "scripted"},
         "tools": [{"name": "echo", "kind": "http", "url": "http://127.0.0.1:9/echo"}],
         "permissions": {"tools": {"*": "allow"}}}"""
                .formatted(id));
    assertEquals(201, created.status(), created.toString());
    return "/v1/sessions/" + id;
  }

  private static Response callEcho(String key, String session) {
    return api.post(key, session + "/messages?waitSeconds=10", "{\"content\": \"/tool echo {}\"}");
  }

  private static JsonNode lastToolOutcome(String key, String session) {
    JsonNode messages = api.get(key, session + "/messages").json().get("messages");
    JsonNode last = null;
    for (JsonNode m : messages) {
      if ("tool".equals(m.path("role").asText())) {
        last = m;
      }
    }
    assertTrue(last != null, messages.toString());
    return last;
  }

  private static void setCeiling(String tools) {
    Response set = api.put(OLGA, "/v1/policy", "{\"tools\": " + tools + "}");
    assertEquals(200, set.status(), set.toString());
  }

  @Test
  void theCeilingAppliesToEveryExistingSessionOfTheTenantAndToNoOtherTenant() {
    String adas = openSession(ADA);
    String gus = openSession(GUS);
    assertEquals("completed", callEcho(ADA, adas).json().path("status").asText());
    assertEquals("succeeded", lastToolOutcome(ADA, adas).path("outcome").asText());

    Response set =
        api.put(OLGA, "/v1/policy", "{\"tools\": {\"echo\": \"deny\", \"*\": \"allow\"}}");
    assertEquals(200, set.status(), set.toString());
    assertEquals("deny", set.json().at("/tools/echo").asText());
    assertEquals("deny", api.get(ADA, "/v1/policy").json().at("/tools/echo").asText());
    List<Object> journaled =
        PersistenceTestKit.create(node.system)
            .persistedInStorage(PersistenceId.of(TenantPolicyEntity.TYPE_KEY.name(), "acme").id());
    assertTrue(
        journaled.stream().anyMatch(e -> e instanceof TenantPolicyChanged), journaled.toString());

    assertEquals("completed", callEcho(ADA, adas).json().path("status").asText());
    JsonNode outcome = lastToolOutcome(ADA, adas);
    assertEquals("rejected", outcome.path("outcome").asText(), outcome.toString());
    assertTrue(outcome.path("content").asText().contains("tenant"), outcome.toString());
    assertEquals(
        "{\"*\":\"allow\"}",
        api.get(ADA, adas).json().at("/permissions/tools").toString(),
        "the session's own policy is unchanged");

    assertEquals("{}", api.get(GUS, "/v1/policy").json().path("tools").toString());
    assertEquals("completed", callEcho(GUS, gus).json().path("status").asText());
    assertEquals(
        "succeeded",
        lastToolOutcome(GUS, gus).path("outcome").asText(),
        "another tenant's ceiling never applies");
    setCeiling("{}");
  }

  @Test
  void aCeilingOfAskPausesForAHumanAndAnApprovalIsCheckedAgainstTheCeilingAsItIsThen() {
    String adas = openSession(ADA);
    setCeiling("{\"echo\": \"ask\"}");
    Response waiting = callEcho(ADA, adas);
    assertEquals("awaiting_approval", waiting.json().path("status").asText(), waiting.toString());
    String approvalId = api.get(ADA, adas + "/approvals").json().get(0).get("id").asText();

    setCeiling("{\"echo\": \"deny\"}");
    Response approved =
        api.post(ADA, adas + "/approvals/" + approvalId, "{\"decision\": \"approve\"}");
    assertEquals(409, approved.status(), approved.toString());
    assertEquals("tool_denied", approved.errorCode());
    JsonNode turn =
        api.get(ADA, adas + "/turns/" + waiting.json().get("turnId").asText() + "?waitSeconds=10")
            .json();
    assertEquals("completed", turn.path("status").asText());
    assertEquals("rejected", lastToolOutcome(ADA, adas).path("outcome").asText());
    setCeiling("{}");
  }

  @Test
  void onlyAnOperatorSetsTheTenantPolicyAndBadBodiesChangeNothing() {
    setCeiling("{\"echo\": \"ask\"}");
    Response byUser = api.put(ADA, "/v1/policy", "{\"tools\": {}}");
    assertEquals(403, byUser.status(), byUser.toString());
    assertEquals("role_missing", byUser.errorCode());
    assertEquals(403, api.get(IVAN, "/v1/policy").status(), "an approver alone uses no sessions");
    assertEquals(401, api.get(null, "/v1/policy").status());

    record Bad(String body, String field) {}
    for (Bad bad :
        List.of(
            new Bad("{}", "tools"),
            new Bad("[]", "object"),
            new Bad("{\"tools\": []}", "tools"),
            new Bad("{\"tools\": {\"echo\": \"maybe\"}}", "tools.echo"),
            new Bad("{\"tools\": {\"echo\": 1}}", "tools.echo"))) {
      Response refused = api.put(OLGA, "/v1/policy", bad.body());
      assertEquals(400, refused.status(), bad + " -> " + refused);
      assertTrue(refused.errorMessage().contains(bad.field()), bad + " -> " + refused);
    }
    assertEquals("{\"echo\":\"ask\"}", api.get(OLGA, "/v1/policy").json().path("tools").toString());
    setCeiling("{}");
  }

  @Test
  void aPolicyReplacementTakesAnIdempotencyKeyAndARetryWithItChangesNothingMore() {
    setCeiling("{\"echo\": \"ask\"}");
    Response malformed =
        api.send(
            "PUT",
            "/v1/policy",
            OLGA,
            "{\"tools\": {}}",
            java.util.Map.of("Idempotency-Key", "has space"));
    assertEquals(400, malformed.status(), malformed.toString());
    assertEquals("invalid_field", malformed.errorCode());
    assertEquals("{\"echo\":\"ask\"}", api.get(OLGA, "/v1/policy").json().path("tools").toString());

    for (int attempt = 0; attempt < 2; attempt++) {
      Response keyed =
          api.send(
              "PUT",
              "/v1/policy",
              OLGA,
              "{\"tools\": {\"echo\": \"deny\"}}",
              java.util.Map.of("Idempotency-Key", "policy-1"));
      assertEquals(200, keyed.status(), keyed.toString());
      assertEquals("{\"echo\":\"deny\"}", keyed.json().path("tools").toString());
    }
    assertEquals(
        "{\"echo\":\"deny\"}", api.get(OLGA, "/v1/policy").json().path("tools").toString());
    setCeiling("{}");
  }
}
