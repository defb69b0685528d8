package io.agentruntime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The console's files as the node serves them (no key, from the jar, under a strict
 * Content-Security-Policy) and {@code GET /v1/me}, which tells the console what a key may do.
 */
class ConsoleApiTest {

  private final Api api = TestNode.shared().api;

  private static void assertLockedDown(Response r) {
    String csp = r.header("Content-Security-Policy").orElse("");
    assertTrue(csp.contains("default-src 'self'"), csp);
    assertTrue(csp.contains("script-src 'self'"), csp);
    assertTrue(csp.contains("connect-src 'self'"), csp);
    assertTrue(csp.contains("frame-ancestors 'none'"), csp);
    assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), csp);
    assertEquals("nosniff", r.header("X-Content-Type-Options").orElse(""));
    assertEquals("DENY", r.header("X-Frame-Options").orElse(""));
  }

  @Test
  void thePageAndItsScriptsAreServedWithoutAKeyUnderAStrictPolicy() {
    Response page = api.get(null, "/console/");
    assertEquals(200, page.status());
    assertTrue(page.header("Content-Type").orElse("").startsWith("text/html"));
    assertLockedDown(page);
    assertTrue(page.text().contains("<script type=\"module\" src=\"js/app.js\"></script>"));
    assertFalse(page.text().contains("style="), "no inline style");

    for (String file : List.of("js/app.js", "js/api.js", "js/sse.js", "js/approvals.js")) {
      Response script = api.get(null, "/console/" + file);
      assertEquals(200, script.status(), file);
      assertTrue(
          script.header("Content-Type").orElse("").contains("javascript"),
          file + ": " + script.header("Content-Type"));
      assertLockedDown(script);
      assertFalse(script.text().contains("innerHTML"), file + " builds no markup from strings");
    }
    Response css = api.get(null, "/console/console.css");
    assertTrue(css.header("Content-Type").orElse("").startsWith("text/css"));
  }

  @Test
  void theBarePathRedirectsAndNothingOutsideTheConsoleIsServed() {
    Response bare = api.send("GET", "/console", null, null, Map.of());
    assertEquals(301, bare.status());
    assertEquals("/console/", bare.header("Location").orElse(""));
    assertEquals(404, api.get(null, "/console/missing.js").status());
    assertEquals(404, api.get(null, "/console/%2e%2e/openapi.json").status());
    assertEquals(404, api.get(null, "/console/..%2fapplication.conf").status());
  }

  @Test
  void meNamesTheKeysTenantUserAndRolesAndNeedsAKey() {
    JsonNode ada = api.get(TestKeys.ADA, "/v1/me").json();
    assertEquals("acme", ada.get("tenant").asText());
    assertEquals("ada", ada.get("user").asText());
    assertEquals("[\"user\",\"approver\"]", ada.get("roles").toString());
    JsonNode ivan = api.get(TestKeys.IVAN, "/v1/me").json();
    assertEquals("[\"approver\"]", ivan.get("roles").toString(), "an approver-only key may ask");
    assertEquals(401, api.get(null, "/v1/me").status());
    assertEquals(401, api.get("not-a-key", "/v1/me").status());
  }

  @Test
  void theClusterIsForOperatorsOfTheNamedTenantsOnly() {
    // The test node names globex in agent-runtime.http.cluster-operator-tenants.
    String id = TestNode.newId("cl");
    assertEquals(201, api.post(TestKeys.GUS, "/v1/sessions", "{\"id\": \"" + id + "\"}").status());
    String host = api.get(TestKeys.GUS, "/v1/sessions/" + id).header("X-Agent-Node").orElseThrow();

    Response view = api.get(TestKeys.OTTO, "/v1/cluster");
    assertEquals(200, view.status(), view.toString());
    assertEquals(host, view.json().get("self").asText());
    JsonNode member = view.json().get("members").get(0);
    assertEquals(1, view.json().get("members").size());
    assertEquals(host, member.get("node").asText());
    assertEquals("Up", member.get("status").asText());
    assertTrue(member.get("reachable").asBoolean());
    assertTrue(member.get("sessions").asInt() >= 1, member.toString());
    assertTrue(member.get("shards").asInt() >= 1, member.toString());

    for (String key : List.of(TestKeys.OLGA, TestKeys.GUS, TestKeys.ADA)) {
      Response refused = api.get(key, "/v1/cluster");
      assertEquals(403, refused.status(), key + ": " + refused);
      assertEquals("role_missing", refused.errorCode());
      Response leave = api.post(key, "/v1/cluster/members/" + host + "/leave", "{}");
      assertEquals(403, leave.status(), "another tenant's operator cannot make a node leave");
    }
    assertEquals(401, api.get(null, "/v1/cluster").status());
    Response unknown = api.post(TestKeys.OTTO, "/v1/cluster/members/127.0.0.1:1/leave", "{}");
    assertEquals(404, unknown.status());
    assertEquals("member_not_found", unknown.errorCode());
    assertEquals(
        "Up", api.get(TestKeys.OTTO, "/v1/cluster").json().at("/members/0/status").asText());
  }
}
