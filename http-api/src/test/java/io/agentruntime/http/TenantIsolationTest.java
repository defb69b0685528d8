package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.BOB;
import static io.agentruntime.http.TestKeys.GUS;
import static io.agentruntime.http.TestKeys.IVAN;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agentruntime.http.Api.Response;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * For a principal of another tenant, and for another non-operator user of the same tenant, a
 * session does not exist: every route answers 404 and changes nothing. Operators see the tenant's.
 */
class TenantIsolationTest {

  private final Api api = TestNode.shared().api;
  private String id;
  private String session;
  private String turnId;

  @BeforeEach
  void adaCreatesASession() {
    id = TestNode.newId("iso");
    session = "/v1/sessions/" + id;
    assertEquals(
        201,
        api.post(
                ADA,
                "/v1/sessions",
                """
        {"id": "%s", "memory": {"secret": "ada's"}, "tools": [{"name": "t", "kind": "http", "url": "http://x.internal/t"}]}
        """
                    .formatted(id))
            .status());
    turnId =
        api.post(ADA, session + "/messages?waitSeconds=10", "{\"content\": \"hi\"}")
            .json()
            .get("turnId")
            .asText();
  }

  /** Every session route, as one request each. */
  private List<Function<String, Response>> everyRoute() {
    return List.of(
        key -> api.get(key, session),
        key -> api.get(key, session + "/memory"),
        key -> api.get(key, session + "/memory/secret"),
        key -> api.put(key, session + "/memory/secret", "\"stolen\""),
        key -> api.delete(key, session + "/memory/secret"),
        key ->
            api.put(
                key,
                session + "/tools/t",
                "{\"kind\": \"http\", \"url\": \"http://evil.internal/\"}"),
        key -> api.delete(key, session + "/tools/t"),
        key -> api.put(key, session + "/permissions", "{\"tools\": {\"*\": \"allow\"}}"),
        key -> api.post(key, session + "/messages", "{\"content\": \"hi\"}"),
        key -> api.get(key, session + "/messages"),
        key -> api.get(key, session + "/turns"),
        key -> api.get(key, session + "/turns/" + turnId),
        key -> api.post(key, session + "/turns/" + turnId + "/cancel", null),
        key -> api.get(key, session + "/approvals"),
        key -> api.post(key, session + "/approvals/appr_x", "{\"decision\": \"approve\"}"),
        key -> api.get(key, session + "/events"),
        key -> api.delete(key, session));
  }

  @Test
  void anotherTenantSeesNothing() {
    assertNotFoundEverywhere(GUS);
    assertUntouched();
  }

  @Test
  void anotherTenantMayUseTheSameIdForItsOwnSession() {
    Response own = api.post(GUS, "/v1/sessions", "{\"id\": \"" + id + "\"}");
    assertEquals(201, own.status());
    assertEquals("globex", own.json().at("/owner/tenant").asText());
    assertEquals(0, api.get(GUS, session + "/memory").json().size());
    assertUntouched();
  }

  @Test
  void anotherUserOfTheSameTenantSeesNothing() {
    assertNotFoundEverywhere(BOB);
    assertUntouched();
  }

  @Test
  void anotherUserOfTheSameTenantCannotTakeTheIdEither() {
    // Ids are the tenant's: a create under a taken one can only be refused, and says no more.
    Response put = api.put(BOB, session, "{}");
    assertEquals(409, put.status(), put.toString());
    assertEquals("session_exists", put.errorCode());
    assertEquals(409, api.post(BOB, "/v1/sessions", "{\"id\": \"" + id + "\"}").status());
    assertUntouched();
  }

  @Test
  void anOperatorOfTheTenantSeesAndChangesIt() {
    Response seen = api.get(OLGA, session);
    assertEquals(200, seen.status());
    assertEquals("ada", seen.json().at("/owner/user").asText());
    assertEquals(200, api.put(OLGA, session + "/memory/note", "\"from olga\"").status());
    assertEquals("from olga", api.get(ADA, session + "/memory/note").json().asText());
  }

  @Test
  void aKeyWithoutTheUserOrOperatorRoleIsForbidden() {
    Response r = api.get(IVAN, session);
    assertEquals(403, r.status());
    assertEquals("role_missing", r.errorCode());
    assertEquals(403, api.get(IVAN, "/v1/sessions").status());
  }

  private void assertNotFoundEverywhere(String key) {
    for (Function<String, Response> route : everyRoute()) {
      Response r = route.apply(key);
      assertEquals(404, r.status(), r.toString());
      assertEquals("session_not_found", r.errorCode(), r.toString());
    }
  }

  private void assertUntouched() {
    Response s = api.get(ADA, session);
    assertEquals(200, s.status());
    assertEquals("idle", s.json().get("status").asText());
    assertEquals("ada's", s.json().at("/memory/secret").asText());
    assertEquals("http://x.internal/t", s.json().at("/tools/0/url").asText());
    assertEquals(0, s.json().at("/permissions/tools").size());
    assertEquals(1, api.get(ADA, session + "/turns").json().get("turns").size());
  }
}
