package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.testing.TestMcpServer;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A session created with an MCP server in its {@code tools} offers that server's tools to the model
 * from its first turn: creation discovers them, as {@code PUT .../tools/{name}} does. A server that
 * cannot be reached is a 400 naming the field, and nothing is created.
 */
class McpAtCreationApiTest {

  private static TestMcpServer mcp;
  private static RealTools tools;
  private static TestNode node;
  private static Api api;

  @BeforeAll
  static void start() {
    mcp = TestMcpServer.start();
    tools = new RealTools();
    node = TestNode.start("", tools::runtime);
    api = node.api;
  }

  @AfterAll
  static void stop() {
    node.close();
    tools.close();
    mcp.close();
  }

  private String body(String url) {
    return """
        {"tools": [{"name": "docs", "kind": "mcp", "url": "%s", "allow": ["echo", "search"]}],
         "permissions": {"tools": {"*": "allow"}}}
        """
        .formatted(url);
  }

  @Test
  void theModelIsOfferedTheServersToolsAndTheCallGoesToTheServer() {
    String id = TestNode.newId("mcp-create");
    Response created = api.put(ADA, "/v1/sessions/" + id, body(mcp.url()));
    assertEquals(201, created.status(), created.toString());
    tools.modelRequests.clear();

    Response turn =
        api.post(
            ADA,
            "/v1/sessions/" + id + "/messages?waitSeconds=20",
            "{\"content\": \"/tool docs__echo {\\\"text\\\": \\\"hello mcp\\\"}\"}");

    assertEquals("completed", turn.json().path("status").asText(), turn.toString());
    List<String> offered = tools.offered().get(0);
    assertTrue(
        offered.contains("docs__echo") && offered.contains("docs__search"), offered.toString());
    assertTrue(
        mcp.toolCalls().stream()
            .anyMatch(
                c -> c.tool().equals("echo") && "hello mcp".equals(c.arguments().get("text"))),
        mcp.toolCalls().toString());
    assertTrue(
        api.get(ADA, "/v1/sessions/" + id + "/messages").json().toString().contains("hello mcp"));
  }

  @Test
  void theSameCreateAgainIsTheSameSession() {
    String id = TestNode.newId("mcp-again");
    assertEquals(201, api.put(ADA, "/v1/sessions/" + id, body(mcp.url())).status());

    Response again = api.put(ADA, "/v1/sessions/" + id, body(mcp.url()));

    assertEquals(200, again.status(), again.toString());
  }

  @Test
  void anUnreachableServerIs400NamingTheFieldAndNothingIsCreated() throws Exception {
    int freePort;
    try (ServerSocket socket = new ServerSocket(0)) {
      freePort = socket.getLocalPort();
    }
    String id = TestNode.newId("mcp-down");
    String body =
        """
        {"tools": [{"name": "mail", "kind": "http", "url": "http://127.0.0.1:9/mail"},
                   {"name": "docs", "kind": "mcp", "url": "http://127.0.0.1:%d/mcp"}]}
        """
            .formatted(freePort);

    Response refused = api.put(ADA, "/v1/sessions/" + id, body);
    Response posted =
        api.post(ADA, "/v1/sessions", body.replaceFirst("\\{", "{\"id\": \"" + id + "-p\", "));

    assertEquals(400, refused.status(), refused.toString());
    assertTrue(refused.errorMessage().startsWith("tools[1].url"), refused.errorMessage());
    assertEquals(400, posted.status(), posted.toString());
    assertTrue(posted.errorMessage().startsWith("tools[1].url"), posted.errorMessage());
    assertEquals(404, api.get(ADA, "/v1/sessions/" + id).status());
    assertEquals(404, api.get(ADA, "/v1/sessions/" + id + "-p").status());
  }
}
