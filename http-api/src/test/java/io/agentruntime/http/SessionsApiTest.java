package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.BOB;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Creating, reading, listing and closing sessions over HTTP. */
class SessionsApiTest {

  private final Api api = TestNode.shared().api;

  @Test
  void postCreatesTheSessionWithTheGivenPartsAndGetShowsIt() {
    String id = TestNode.newId("create");
    Response created =
        api.post(
            ADA,
            "/v1/sessions",
            """
        {"id": "%s",
         "agent": {"instructions": "You help.", "model": "scripted", "limits": {"maxStepsPerTurn": 4}},
         "tools": [{"name": "send_email", "kind": "http", "url": "http://tools.internal/send_email",
                    "description": "Sends mail", "parameters": {"type": "object"}, "secretRef": "EMAIL_TOKEN"},
                   {"name": "files", "kind": "mcp", "url": "http://127.0.0.1:9000/mcp", "allow": ["read_file"]}],
         "permissions": {"tools": {"send_email": "ask", "*": "allow"}},
         "memory": {"user_name": "Ada", "prefs": {"tz": "UTC"}},
         "metadata": {"team": "core"},
         "unknownField": "is ignored"}
        """
                .formatted(id));

    assertEquals(201, created.status(), created.toString());
    assertEquals("/v1/sessions/" + id, created.header("Location").orElseThrow());
    // A create answers the session in summary, however large what it holds (decision 0033).
    JsonNode summary = created.json();
    for (String part : List.of("agent", "memory", "tools", "permissions", "metadata")) {
      assertFalse(summary.has(part), part + " is not in the answer: " + summary);
    }
    Response read = api.get(ADA, "/v1/sessions/" + id);
    assertEquals(200, read.status());
    JsonNode s = read.json();
    summary
        .fieldNames()
        .forEachRemaining(
            field -> assertEquals(summary.get(field), s.get(field), "the summary's " + field));
    assertEquals(id, s.get("id").asText());
    assertEquals("idle", s.get("status").asText());
    assertEquals("acme", s.at("/owner/tenant").asText());
    assertEquals("ada", s.at("/owner/user").asText());
    assertEquals("You help.", s.at("/agent/instructions").asText());
    assertEquals("scripted", s.at("/agent/model").asText());
    assertEquals(4, s.at("/agent/limits/maxStepsPerTurn").asInt());
    assertEquals(
        600, s.at("/agent/limits/maxTurnSeconds").asInt(), "a missing limit takes the default");
    assertEquals(1, s.get("lastSeq").asLong());
    assertTrue(s.has("currentTurn") && s.get("currentTurn").isNull());
    assertEquals(0, s.get("queuedMessages").asInt());
    assertEquals("Ada", s.at("/memory/user_name").asText());
    assertEquals("UTC", s.at("/memory/prefs/tz").asText());
    assertEquals("ask", s.at("/permissions/tools/send_email").asText());
    assertEquals("allow", s.at("/permissions/tools/*").asText());
    assertEquals("core", s.at("/metadata/team").asText());
    assertEquals(0, s.get("pendingApprovals").asInt());
    assertEquals(0, s.at("/usage/inputTokens").asInt());
    assertEquals(0, s.at("/usage/outputTokens").asInt());
    assertTrue(s.hasNonNull("createdAt") && s.hasNonNull("updatedAt"));
    JsonNode tools = s.get("tools");
    assertEquals(2, tools.size());
    JsonNode files = tools.get(0);
    assertEquals("files", files.get("name").asText());
    assertEquals("mcp", files.get("kind").asText());
    assertEquals("read_file", files.at("/allow/0").asText());
    JsonNode mail = tools.get(1);
    assertEquals("send_email", mail.get("name").asText());
    assertEquals("http", mail.get("kind").asText());
    assertEquals("http://tools.internal/send_email", mail.get("url").asText());
    assertEquals("EMAIL_TOKEN", mail.get("secretRef").asText());
    assertEquals(false, mail.get("idempotent").asBoolean());
  }

  @Test
  void postWithoutIdOrBodyGetsAServerChosenIdAndTheDefaults() {
    Response created = api.send("POST", "/v1/sessions", ADA, null, Map.of());
    assertEquals(201, created.status(), created.toString());
    String id = created.json().get("id").asText();
    assertTrue(id.startsWith("s_"), id);
    assertEquals("/v1/sessions/" + id, created.header("Location").orElseThrow());
    JsonNode read = api.get(ADA, "/v1/sessions/" + id).json();
    assertEquals("default", read.at("/agent/model").asText());
    assertEquals("", read.at("/agent/instructions").asText());
    assertEquals(8, read.at("/agent/limits/maxStepsPerTurn").asInt());

    Response another = api.post(ADA, "/v1/sessions", "{}");
    assertEquals(201, another.status());
    assertNotEquals(id, another.json().get("id").asText());
  }

  @Test
  void postWithAnIdempotencyKeyGivesARetryTheSameSession() {
    String key = TestNode.newId("idem");
    String body = "{\"metadata\": {\"attempt\": \"same\"}}";
    Response first = api.send("POST", "/v1/sessions", ADA, body, Map.of("Idempotency-Key", key));
    Response retry = api.send("POST", "/v1/sessions", ADA, body, Map.of("Idempotency-Key", key));
    assertEquals(201, first.status(), first.toString());
    assertEquals(201, retry.status(), retry.toString());
    assertEquals(first.json().get("id"), retry.json().get("id"));
    assertEquals(1, retry.json().get("lastSeq").asInt(), "the retry created nothing");

    Response otherBody =
        api.send(
            "POST",
            "/v1/sessions",
            ADA,
            "{\"metadata\": {\"attempt\": \"other\"}}",
            Map.of("Idempotency-Key", key));
    assertEquals(409, otherBody.status());

    Response otherUser =
        api.send("POST", "/v1/sessions", BOB, body, Map.of("Idempotency-Key", key));
    assertEquals(201, otherUser.status());
    assertNotEquals(
        first.json().get("id"), otherUser.json().get("id"), "the key is the user's own");
  }

  @Test
  void postOfAnExistingIdIsAConflict() {
    String id = TestNode.newId("dup");
    assertEquals(201, api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\"}").status());
    Response again = api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\"}");
    assertEquals(409, again.status());
    assertEquals("session_exists", again.errorCode());
  }

  @Test
  void putCreatesThenAnswersTheSameSessionThenRefusesADifferentOne() {
    String id = TestNode.newId("put");
    String body = "{\"agent\": {\"instructions\": \"Be brief.\"}, \"memory\": {\"a\": 1}}";
    Response created = api.put(ADA, "/v1/sessions/" + id, body);
    assertEquals(201, created.status(), created.toString());
    assertEquals("/v1/sessions/" + id, created.header("Location").orElseThrow());

    Response same = api.put(ADA, "/v1/sessions/" + id, body);
    assertEquals(200, same.status(), same.toString());
    assertEquals(created.json(), same.json());

    Response different =
        api.put(ADA, "/v1/sessions/" + id, "{\"agent\": {\"instructions\": \"Be long.\"}}");
    assertEquals(409, different.status());
    assertEquals("session_exists", different.errorCode());

    Response mismatched = api.put(ADA, "/v1/sessions/" + id, "{\"id\": \"other\"}");
    assertEquals(400, mismatched.status());
    assertEquals("invalid_field", mismatched.errorCode());
  }

  @Test
  void listShowsTheCallersSessionsPageByPageAndOperatorsTheTenants() {
    String adasOwn = TestNode.newId("list-ada");
    String bobsOwn = TestNode.newId("list-bob");
    assertEquals(201, api.post(ADA, "/v1/sessions", "{\"id\": \"" + adasOwn + "\"}").status());
    assertEquals(201, api.post(BOB, "/v1/sessions", "{\"id\": \"" + bobsOwn + "\"}").status());

    List<JsonNode> adas = listAll(ADA, "");
    Set<String> adaIds = ids(adas);
    assertTrue(adaIds.contains(adasOwn));
    assertTrue(!adaIds.contains(bobsOwn), "a user sees only its own sessions");
    adas.forEach(s -> assertEquals("ada", s.at("/owner/user").asText()));
    JsonNode item =
        adas.stream().filter(s -> s.get("id").asText().equals(adasOwn)).findFirst().orElseThrow();
    assertEquals("idle", item.get("status").asText());
    assertEquals("acme", item.at("/owner/tenant").asText());
    assertTrue(item.hasNonNull("createdAt") && item.hasNonNull("updatedAt"));

    Set<String> olgas = ids(listAll(OLGA, ""));
    assertTrue(
        olgas.contains(adasOwn) && olgas.contains(bobsOwn),
        "an operator sees the tenant's sessions");

    assertEquals(200, api.delete(ADA, "/v1/sessions/" + adasOwn).status());
    Set<String> closed = ids(listAll(ADA, "&status=closed"));
    assertTrue(closed.contains(adasOwn));
    assertTrue(!ids(listAll(ADA, "&status=idle")).contains(adasOwn));
  }

  @Test
  void listRefusesBadParameters() {
    for (String query : List.of("status=sleeping", "limit=0", "limit=-1", "limit=ten")) {
      Response r = api.get(ADA, "/v1/sessions?" + query);
      assertEquals(400, r.status(), query);
      assertEquals("invalid_field", r.errorCode(), query);
    }
  }

  @Test
  void closeAnswersTheClosedSessionThenWritesConflictAndReadsStillWork() {
    String id = TestNode.newId("close");
    assertEquals(201, api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\"}").status());

    Response closed = api.delete(ADA, "/v1/sessions/" + id);
    assertEquals(200, closed.status());
    assertEquals("closed", closed.json().get("status").asText());

    for (Response write :
        List.of(
            api.put(ADA, "/v1/sessions/" + id + "/memory/k", "1"),
            api.put(
                ADA,
                "/v1/sessions/" + id + "/tools/t",
                "{\"kind\": \"http\", \"url\": \"http://x.internal/t\"}"),
            api.put(ADA, "/v1/sessions/" + id + "/permissions", "{\"tools\": {}}"),
            api.post(ADA, "/v1/sessions/" + id + "/messages", "{\"content\": \"hello\"}"))) {
      assertEquals(409, write.status(), write.toString());
      assertEquals("session_closed", write.errorCode());
    }
    assertEquals(200, api.get(ADA, "/v1/sessions/" + id).status());
    assertEquals(200, api.get(ADA, "/v1/sessions/" + id + "/messages").status());
    assertEquals(200, api.delete(ADA, "/v1/sessions/" + id).status(), "closing twice is fine");
  }

  private List<JsonNode> listAll(String key, String query) {
    List<JsonNode> all = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Response page =
          api.get(
              key, "/v1/sessions?limit=2" + query + (cursor == null ? "" : "&cursor=" + cursor));
      assertEquals(200, page.status(), page.toString());
      assertTrue(page.json().get("sessions").size() <= 2);
      page.json().get("sessions").forEach(all::add);
      JsonNode next = page.json().get("nextCursor");
      assertTrue(next != null, "nextCursor is always present");
      cursor = next.isNull() ? null : next.asText();
      pages++;
    } while (cursor != null && pages < 1000);
    return all;
  }

  private static Set<String> ids(List<JsonNode> sessions) {
    Set<String> ids = new HashSet<>();
    sessions.forEach(s -> ids.add(s.get("id").asText()));
    return ids;
  }
}
