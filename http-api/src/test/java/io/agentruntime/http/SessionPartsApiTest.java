package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Memory, tool connections and the permission policy of a session over HTTP. */
class SessionPartsApiTest {

  private final Api api = TestNode.shared().api;
  private String session;

  @BeforeEach
  void createSession() {
    String id = TestNode.newId("parts");
    assertEquals(
        201,
        api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\", \"memory\": {\"seed\": true}}")
            .status());
    session = "/v1/sessions/" + id;
  }

  @Test
  void memoryIsWrittenReadAndDeletedByKey() {
    Response written =
        api.put(
            ADA, session + "/memory/profile", "{\"name\": \"Ada\", \"langs\": [\"en\", \"fr\"]}");
    assertEquals(200, written.status(), written.toString());
    // A write answers what changed and where the journal stands, never the whole session.
    assertEquals("profile", written.json().get("key").asText());
    assertEquals("Ada", written.json().at("/value/name").asText());
    assertEquals(2, written.json().get("lastSeq").asLong());
    assertFalse(written.json().has("memory"), written.toString());

    assertEquals(200, api.put(ADA, session + "/memory/count", "42").status());
    assertEquals(200, api.put(ADA, session + "/memory/nothing", "null").status());

    Response all = api.get(ADA, session + "/memory");
    assertEquals(200, all.status());
    JsonNode memory = all.json();
    assertEquals(true, memory.get("seed").asBoolean());
    assertEquals("fr", memory.at("/profile/langs/1").asText());
    assertEquals(42, memory.get("count").asInt());
    assertTrue(memory.has("nothing") && memory.get("nothing").isNull());

    Response one = api.get(ADA, session + "/memory/count");
    assertEquals(200, one.status());
    assertEquals(42, one.json().asInt());

    Response deleted = api.delete(ADA, session + "/memory/count");
    assertEquals(200, deleted.status());
    assertEquals("count", deleted.json().get("key").asText());
    assertEquals(5, deleted.json().get("lastSeq").asLong());
    assertFalse(api.get(ADA, session + "/memory").json().has("count"));

    Response gone = api.get(ADA, session + "/memory/count");
    assertEquals(404, gone.status());
    assertEquals("memory_key_not_found", gone.errorCode());
    assertEquals(404, api.delete(ADA, session + "/memory/count").status());
  }

  @Test
  void memoryWritesAreValidated() {
    Response badKey = api.put(ADA, session + "/memory/has%20space", "1");
    assertEquals(400, badKey.status());
    assertEquals("invalid_field", badKey.errorCode());

    Response malformed = api.put(ADA, session + "/memory/k", "{not json");
    assertEquals(400, malformed.status());
    assertEquals("malformed_json", malformed.errorCode());
  }

  @Test
  void toolsAreConnectedReplacedAndDisconnectedByName() {
    Response http =
        api.put(
            ADA,
            session + "/tools/search",
            """
        {"kind": "http", "url": "http://tools.internal/search", "description": "Searches",
         "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}, "idempotent": true}
        """);
    assertEquals(200, http.status(), http.toString());
    assertEquals(2, http.json().get("lastSeq").asLong());
    assertEquals(http.json().get("tool"), api.get(ADA, session).json().at("/tools/0"));
    JsonNode tool = http.json().get("tool");
    assertEquals("search", tool.get("name").asText());
    assertEquals("http", tool.get("kind").asText());
    assertEquals("http://tools.internal/search", tool.get("url").asText());
    assertEquals("Searches", tool.get("description").asText());
    assertEquals("string", tool.at("/parameters/properties/q/type").asText());
    assertTrue(tool.get("idempotent").asBoolean());

    // Another kind, url and secret: only an operator may retarget a connected tool (issue 12).
    Response replaced =
        api.put(
            OLGA,
            session + "/tools/search",
            """
        {"kind": "mcp", "url": "http://127.0.0.1:9000/mcp", "allow": ["search"], "secretRef": "MCP_TOKEN"}
        """);
    assertEquals(200, replaced.status(), replaced.toString());
    assertEquals(1, api.get(ADA, session).json().get("tools").size());
    assertEquals("mcp", replaced.json().at("/tool/kind").asText());
    assertEquals("MCP_TOKEN", replaced.json().at("/tool/secretRef").asText());

    Response removed = api.delete(ADA, session + "/tools/search");
    assertEquals(200, removed.status());
    assertEquals("search", removed.json().get("name").asText());
    assertEquals(4, removed.json().get("lastSeq").asLong());
    assertEquals(0, api.get(ADA, session).json().get("tools").size());
    Response again = api.delete(ADA, session + "/tools/search");
    assertEquals(404, again.status());
    assertEquals("tool_not_found", again.errorCode());
  }

  @Test
  void toolBodiesAreCheckedFieldByField() {
    assertInvalid(
        api.put(ADA, session + "/tools/t", "{\"url\": \"http://x.internal/\"}"),
        "kind is required");
    assertInvalid(
        api.put(ADA, session + "/tools/t", "{\"kind\": \"ftp\", \"url\": \"http://x.internal/\"}"),
        "kind must be http, mcp or function");
    assertInvalid(api.put(ADA, session + "/tools/t", "{\"kind\": \"http\"}"), "url is required");
    assertInvalid(
        api.put(ADA, session + "/tools/t", "{\"kind\": \"http\", \"url\": 7}"),
        "url must be a string");
    assertInvalid(
        api.put(
            ADA,
            session + "/tools/t",
            "{\"kind\": \"http\", \"url\": \"http://x.internal/\", \"idempotent\": \"yes\"}"),
        "idempotent must be true or false");
    assertInvalid(
        api.put(
            ADA,
            session + "/tools/t",
            "{\"kind\": \"mcp\", \"url\": \"http://x.internal/\", \"allow\": [1]}"),
        "allow[0] must be a string");
    assertInvalid(
        api.put(ADA, session + "/tools/t", "{\"kind\": \"http\", \"url\": \"not a url\"}"), "url");
    assertInvalid(
        api.put(
            ADA,
            session + "/tools/t",
            "{\"name\": \"u\", \"kind\": \"http\", \"url\": \"http://x.internal/\"}"),
        "name");
  }

  @Test
  void permissionsAreReplacedAsAWhole() {
    // Loosening (to allow) is an operator's to do (issue 12); tightening is the owner's.
    Response first =
        api.put(
            OLGA,
            session + "/permissions",
            "{\"tools\": {\"send_email\": \"ask\", \"*\": \"allow\"}}");
    assertEquals(200, first.status(), first.toString());
    assertEquals("ask", first.json().at("/permissions/tools/send_email").asText());

    Response second =
        api.put(ADA, session + "/permissions", "{\"tools\": {\"delete_repo\": \"deny\"}}");
    assertEquals(200, second.status());
    JsonNode tools = second.json().at("/permissions/tools");
    assertEquals(1, tools.size());
    assertEquals("deny", tools.get("delete_repo").asText());

    assertInvalid(
        api.put(ADA, session + "/permissions", "{\"tools\": {\"send_email\": \"maybe\"}}"),
        "tools.send_email must be allow, ask or deny");
    assertInvalid(api.put(ADA, session + "/permissions", "{}"), "tools is required");
    assertInvalid(
        api.put(ADA, session + "/permissions", "{\"tools\": [\"x\"]}"), "tools must be an object");
  }

  private static void assertInvalid(Response r, String messagePart) {
    assertEquals(400, r.status(), r.toString());
    assertEquals("invalid_field", r.errorCode(), r.toString());
    assertTrue(r.errorMessage().contains(messagePart), r.errorMessage());
  }
}
