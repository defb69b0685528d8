package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.GUS;
import static io.agentruntime.http.TestKeys.OLGA;
import static io.agentruntime.http.TestKeys.OTTO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.testing.RecordingToolServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Per-tool rate limits of the tenant's policy over HTTP (issue 15 item 2, decision 0046), on a node
 * of its own with a real tool server: calls of a limited tool are counted across the tenant's
 * sessions; the one over the limit is not sent and waits for an approver (reason {@code
 * rate_limit}); approve sends it, deny refuses it; another tenant's calls and a tool without a
 * limit are never held; bad limits are a 400 naming the field. The hold is announced by the {@code
 * approval.requested} webhook with its reason and limit, signature checked by the official SDK.
 */
class ToolRateLimitsApiTest {

  private static RecordingToolServer tool;
  private static RealTools tools;
  private static TestNode node;
  private static Api api;

  @BeforeAll
  static void start() {
    tool = RecordingToolServer.start();
    tools = new RealTools();
    node = TestNode.start("", tools::runtime);
    api = node.api;
  }

  @AfterAll
  static void stop() {
    node.close();
    tools.close();
    tool.close();
  }

  /** A session of {@code owner} with {@code send_email} and {@code lookup}, both allowed. */
  private static String openSession(String owner) {
    String id = TestNode.newId("rate");
    Response created =
        api.post(
            owner,
            "/v1/sessions",
            """
        {"id": "%s", "agent": {"model": "scripted"},
         "tools": [{"name": "send_email", "kind": "http", "url": "%s"},
                   {"name": "lookup", "kind": "http", "url": "%s"}],
         "permissions": {"tools": {"*": "allow"}}}"""
                .formatted(id, tool.url("/send_email/" + id), tool.url("/lookup/" + id)));
    assertEquals(201, created.status(), created.toString());
    return "/v1/sessions/" + id;
  }

  /** The model calls {@code name} once; the answer once the turn ended or paused. */
  private static Response call(String key, String session, String name, int n) {
    Response r =
        api.post(
            key,
            session + "/messages?waitSeconds=10",
            "{\"content\": \"/tool " + name + " {\\\"n\\\": " + n + "}\"}");
    assertEquals(200, r.status(), r.toString());
    return r;
  }

  private static JsonNode lastToolMessage(String key, String session) {
    JsonNode last = null;
    for (JsonNode m : api.get(key, session + "/messages").json().get("messages")) {
      if ("tool".equals(m.path("role").asText())) {
        last = m;
      }
    }
    assertTrue(last != null, "no tool message in " + session);
    return last;
  }

  /** The pending rate-limit approval of {@code session}, as {@code GET /v1/approvals} lists it. */
  private static JsonNode heldIn(String key, String session) throws Exception {
    String id = session.substring("/v1/sessions/".length());
    ApiKeysTest.eventually(
        () ->
            TenantApprovalsApiTest.allRows(api, key, 100).stream()
                .anyMatch(r -> r.get("sessionId").asText().equals(id)));
    List<JsonNode> rows =
        TenantApprovalsApiTest.allRows(api, key, 100).stream()
            .filter(r -> r.get("sessionId").asText().equals(id))
            .toList();
    assertEquals(1, rows.size(), rows.toString());
    return rows.get(0);
  }

  private static void setPolicy(String operator, String body) {
    Response set = api.put(operator, "/v1/policy", body);
    assertEquals(200, set.status(), set.toString());
  }

  @Test
  void theEleventhCallInTheHourAcrossTwoSessionsWaitsForAnApproverWhoDecidesIt() throws Exception {
    setPolicy(OLGA, "{\"tools\": {}, \"rateLimits\": {\"send_email\": {\"perHour\": 10}}}");
    assertEquals(
        "{\"send_email\":{\"perHour\":10}}",
        api.get(ADA, "/v1/policy").json().path("rateLimits").toString(),
        "GET /v1/policy shows the limits");
    String first = openSession(ADA);
    String second = openSession(ADA);
    for (int i = 0; i < 5; i++) {
      assertEquals("completed", call(ADA, first, "send_email", i).json().path("status").asText());
      assertEquals(
          "completed", call(ADA, second, "send_email", 5 + i).json().path("status").asText());
    }
    assertEquals(10, sentTo(first, second));

    // The 11th in the hour, across the tenant: not sent, held for an approver, announced.
    WebhookReceiver receiver = new WebhookReceiver(() -> 200);
    WebhookReceiver.Endpoint hook = receiver.register(api, OLGA, "approval.requested");
    Response eleventh = call(ADA, second, "send_email", 10);
    assertEquals("awaiting_approval", eleventh.json().path("status").asText(), eleventh.toString());
    JsonNode held = heldIn(ADA, second);
    assertEquals("rate_limit", held.path("reason").asText(), held.toString());
    assertEquals("send_email", held.path("tool").asText());
    assertEquals(10, held.at("/arguments/n").asInt(), "the approver sees the exact call");
    assertEquals("send_email", held.at("/rateLimit/tool").asText(), held.toString());
    assertEquals("hour", held.at("/rateLimit/window").asText());
    assertEquals(10, held.at("/rateLimit/limit").asInt());
    assertEquals(10, held.at("/rateLimit/count").asInt());
    assertFalse(held.path("rateLimit").has("unread"), "a limit that was hit was checked");
    assertEquals("deny", held.path("onExpiry").asText());
    assertEquals(
        "rate_limit",
        api.get(ADA, second + "/approvals").json().get(0).path("reason").asText(),
        "the session's own listing says it too");
    assertEquals(10, sentTo(first, second), "the held call was not sent");
    String secondId = second.substring("/v1/sessions/".length());
    JsonNode announced =
        hook.verified(
            receiver
                .await(r -> r.body().contains("\"" + secondId + "\""), 1, Duration.ofSeconds(15))
                .get(0));
    assertEquals("approval.requested", announced.path("type").asText(), announced.toString());
    assertEquals("rate_limit", announced.at("/data/reason").asText());
    assertEquals(held.path("rateLimit"), announced.at("/data/rateLimit"));
    api.delete(OLGA, "/v1/webhooks/" + hook.id());
    receiver.close();

    // A tool without a limit is never held, even with the limited one spent.
    assertEquals("completed", call(ADA, first, "lookup", 1).json().path("status").asText());
    assertEquals(1, tool.count("/lookup/" + first.substring(13)));

    // Approve: the call runs (and counts).
    Response approved =
        api.post(ADA, held.path("decisionUrl").asText(), "{\"decision\": \"approve\"}");
    assertEquals(200, approved.status(), approved.toString());
    JsonNode turn =
        api.get(
                ADA,
                second + "/turns/" + eleventh.json().path("turnId").asText() + "?waitSeconds=10")
            .json();
    assertEquals("completed", turn.path("status").asText(), turn.toString());
    assertEquals(11, sentTo(first, second));
    assertEquals("succeeded", lastToolMessage(ADA, second).path("outcome").asText());

    // The 12th, in the other session: held again, now with 11 counted; deny refuses it.
    Response twelfth = call(ADA, first, "send_email", 11);
    assertEquals("awaiting_approval", twelfth.json().path("status").asText(), twelfth.toString());
    JsonNode heldAgain = heldIn(ADA, first);
    assertEquals(11, heldAgain.at("/rateLimit/count").asInt(), heldAgain.toString());
    Response denied =
        api.post(ADA, heldAgain.path("decisionUrl").asText(), "{\"decision\": \"deny\"}");
    assertEquals(200, denied.status(), denied.toString());
    JsonNode after =
        api.get(ADA, first + "/turns/" + twelfth.json().path("turnId").asText() + "?waitSeconds=10")
            .json();
    assertEquals("completed", after.path("status").asText(), after.toString());
    JsonNode refused = lastToolMessage(ADA, first);
    assertEquals("rejected", refused.path("outcome").asText(), refused.toString());
    assertEquals(11, sentTo(first, second), "a denied call is never sent");

    // Another tenant, with the same limit: acme's calls do not count toward globex's.
    setPolicy(OTTO, "{\"tools\": {}, \"rateLimits\": {\"send_email\": {\"perHour\": 10}}}");
    String globex = openSession(GUS);
    assertEquals("completed", call(GUS, globex, "send_email", 0).json().path("status").asText());
    assertEquals(1, tool.count("/send_email/" + globex.substring(13)));
    assertEquals("succeeded", lastToolMessage(GUS, globex).path("outcome").asText());
    assertFalse(
        TenantApprovalsApiTest.allRows(api, GUS, 100).stream()
            .anyMatch(r -> "rate_limit".equals(r.path("reason").asText())));
  }

  private static int sentTo(String first, String second) {
    return tool.count("/send_email/" + first.substring(13))
        + tool.count("/send_email/" + second.substring(13));
  }

  @Test
  void badLimitsAreA400NamingTheFieldAndChangeNothing() {
    String before = api.get(OLGA, "/v1/policy").text();
    for (String[] c :
        new String[][] {
          {"\"x\"", "rateLimits"},
          {"{\"send email\": {\"perHour\": 1}}", "rateLimits.send email"},
          {"{\"*\": {\"perHour\": 1}}", "rateLimits.*"},
          {"{\"send_email\": {}}", "rateLimits.send_email"},
          {"{\"send_email\": 10}", "rateLimits.send_email"},
          {"{\"send_email\": {\"perHour\": 0}}", "rateLimits.send_email.perHour"},
          {"{\"send_email\": {\"perHour\": -1}}", "rateLimits.send_email.perHour"},
          {"{\"send_email\": {\"perHour\": 1.5}}", "rateLimits.send_email.perHour"},
          {"{\"send_email\": {\"perHour\": \"10\"}}", "rateLimits.send_email.perHour"},
          {"{\"send_email\": {\"perDay\": 10001}}", "rateLimits.send_email.perDay"},
          {"{\"send_email\": {\"perMinute\": 1, \"perWeek\": 3}}", "rateLimits.send_email.perWeek"},
        }) {
      Response r = api.put(OLGA, "/v1/policy", "{\"tools\": {}, \"rateLimits\": " + c[0] + "}");
      assertEquals(400, r.status(), c[0] + ": " + r);
      assertEquals(c[1], r.json().at("/error/param").asText(), c[0] + ": " + r);
    }
    Response byUser =
        api.put(ADA, "/v1/policy", "{\"tools\": {}, \"rateLimits\": {\"a\": {\"perHour\": 1}}}");
    assertEquals(403, byUser.status(), byUser.toString());
    assertEquals(before, api.get(OLGA, "/v1/policy").text(), "nothing changed");
  }
}
