package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.GUS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.http.Api.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code PUT .../tools/{name}} with MCP servers: their tools are discovered when they are
 * connected.
 */
class ToolConnectionApiTest {

  private final Api api = TestNode.shared().api;
  private String session;

  @BeforeEach
  void createSession() {
    String id = TestNode.newId("mcp");
    assertEquals(201, api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\"}").status());
    session = "/v1/sessions/" + id;
  }

  @Test
  void aReachableServerIsConnected() {
    Response r =
        api.put(
            ADA,
            session + "/tools/docs",
            "{\"kind\": \"mcp\", \"url\": \"http://127.0.0.1:9/mcp\", \"allow\": [\"search\"]}");
    assertEquals(200, r.status(), r.toString());
    assertEquals("docs", r.json().at("/tool/name").asText());
    assertEquals("mcp", r.json().at("/tool/kind").asText());
  }

  @Test
  void anUnreachableServerIs400NamingTheUrlAndChangesNothing() {
    Response r =
        api.put(
            ADA,
            session + "/tools/docs",
            "{\"kind\": \"mcp\", \"url\": \"http://unreachable.test/mcp\"}");
    assertEquals(400, r.status(), r.toString());
    assertEquals("mcp_unreachable", r.errorCode());
    assertTrue(r.errorMessage().startsWith("url"), r.errorMessage());
    assertEquals(0, api.get(ADA, session).json().get("tools").size());
  }

  @Test
  void aCallerWhoCannotSeeTheSessionMakesTheServerCallNobody() {
    int before = TestRuntime.discoveries.get();
    Response r =
        api.put(
            GUS,
            session + "/tools/docs",
            "{\"kind\": \"mcp\", \"url\": \"http://127.0.0.1:9/mcp\"}");
    assertEquals(404, r.status());
    assertEquals(before, TestRuntime.discoveries.get(), "no discovery for a refused caller");
  }
}
