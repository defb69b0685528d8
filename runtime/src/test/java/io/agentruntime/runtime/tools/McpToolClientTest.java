package io.agentruntime.runtime.tools;

import static io.agentruntime.runtime.tools.ToolFixtures.MAPPER;
import static io.agentruntime.runtime.tools.ToolFixtures.await;
import static io.agentruntime.runtime.tools.ToolFixtures.failed;
import static io.agentruntime.runtime.tools.ToolFixtures.invocation;
import static io.agentruntime.runtime.tools.ToolFixtures.json;
import static io.agentruntime.runtime.tools.ToolFixtures.mcp;
import static io.agentruntime.runtime.tools.ToolFixtures.settings;
import static io.agentruntime.runtime.tools.ToolFixtures.succeeded;
import static io.agentruntime.runtime.tools.ToolFixtures.unknown;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.model.ToolSpec;
import io.agentruntime.runtime.testing.TestMcpServer;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MCP tools through the SDK client, against a real MCP server on a real socket. */
class McpToolClientTest {

  private TestMcpServer server;
  private McpToolClient client;

  @BeforeEach
  void start() {
    server = TestMcpServer.start();
    client = client(settings(), Map.of("FILES_TOKEN", "s3cret"));
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private static McpToolClient client(ToolSettings settings, Map<String, String> environment) {
    return new McpToolClient(
        RoutingToolExecutor.httpClient(settings),
        settings,
        ToolFixtures.secrets(environment),
        MAPPER);
  }

  @Test
  void discoveryListsTheAllowedToolsNamedAfterTheConnection() {
    List<ToolSpec> tools =
        await(
            client.discover(
                ToolFixtures.TENANT, mcp(server.url(), List.of("search", "echo"), null)));

    assertEquals(
        List.of("files__search", "files__echo"), tools.stream().map(ToolSpec::name).toList());
    ToolSpec search = tools.get(0);
    assertEquals("Searches the test index.", search.description());
    assertEquals("string", search.parameters().at("/properties/query/type").asText());
    assertEquals("query", search.parameters().at("/required/0").asText());
  }

  @Test
  void discoveryWithNoAllowListOffersEveryTool() {
    List<ToolSpec> tools =
        await(client.discover(ToolFixtures.TENANT, mcp(server.url(), List.of(), null)));

    assertEquals(
        List.of(
            "files__big",
            "files__echo",
            "files__fail",
            "files__picture",
            "files__search",
            "files__sleep"),
        tools.stream().map(ToolSpec::name).sorted().toList());
  }

  @Test
  void discoveryClosesItsClientAndTheServersSession() throws InterruptedException {
    await(client.discover(ToolFixtures.TENANT, mcp(server.url(), List.of(), null)));

    assertTrue(
        eventually(() -> server.requests("DELETE").size() == 1), "the server's session is ended");
    assertEquals(0, client.openClients());
  }

  @Test
  void aCallAnswersTheToolsStructuredContent() {
    ToolConnection.Mcp files = mcp(server.url(), List.of(), null);

    JsonNode result =
        succeeded(await(client.call(invocation(files, "search", "{\"query\":\"pekko\"}"))));

    assertEquals(
        json(
            "{\"query\":\"pekko\",\"results\":[{\"title\":\"About pekko\",\"url\":\"https://example.org/pekko\"}]}"),
        result);
    assertEquals(Map.of("query", "pekko"), server.toolCalls("search").get(0).arguments());
  }

  @Test
  void aTextAnswerIsAJsonString() {
    JsonNode result =
        succeeded(
            await(
                client.call(
                    invocation(
                        mcp(server.url(), List.of(), null), "echo", "{\"text\":\"hi there\"}"))));

    assertEquals(json("\"hi there\""), result);
  }

  @Test
  void anAnswerWithMoreThanTextKeepsItsContentItems() {
    JsonNode result =
        succeeded(
            await(client.call(invocation(mcp(server.url(), List.of(), null), "picture", "{}"))));

    assertEquals("text", result.at("/content/0/type").asText());
    assertEquals("a picture", result.at("/content/0/text").asText());
    assertEquals("image", result.at("/content/1/type").asText());
    assertEquals("image/png", result.at("/content/1/mimeType").asText());
  }

  @Test
  void aToolThatReportsAnErrorFails() {
    ToolResult.Failed f =
        failed(await(client.call(invocation(mcp(server.url(), List.of(), null), "fail", "{}"))));

    assertEquals("tool_error", f.code());
    assertEquals("the tool failed on purpose", f.message());
  }

  @Test
  void anUnknownToolIsAnMcpError() {
    ToolResult.Failed f =
        failed(await(client.call(invocation(mcp(server.url(), List.of(), null), "nope", "{}"))));

    assertEquals("mcp_error", f.code());
  }

  @Test
  void aToolOutsideTheAllowListIsNeverCalled() {
    ToolResult.Failed f =
        failed(
            await(
                client.call(
                    invocation(
                        mcp(server.url(), List.of("search"), null), "echo", "{\"text\":\"x\"}"))));

    assertEquals("invalid_invocation", f.code());
    assertTrue(server.toolCalls().isEmpty());
  }

  @Test
  void aSlowToolTimesOut() {
    ToolInvocation slow =
        invocation(
            "acme/s1",
            mcp(server.url(), List.of(), null),
            "sleep",
            "{\"millis\":10000}",
            Duration.ofMillis(500));

    long started = System.nanoTime();
    // Decision 0016 changed this: a timeout was a failure; the server may have run the tool, so
    // the outcome is unknown.
    ToolResult.Unknown f = unknown(await(client.call(slow)));

    assertEquals("tool_timeout", f.code());
    assertTrue(
        Duration.ofNanos(System.nanoTime() - started).toMillis() < 8000,
        "well before the tool would answer");
    // The client survives a slow tool: the next call uses the same MCP session.
    succeeded(
        await(
            client.call(
                invocation(mcp(server.url(), List.of(), null), "echo", "{\"text\":\"x\"}"))));
    assertEquals(
        1, server.toolCalls().stream().map(TestMcpServer.ToolCall::mcpSession).distinct().count());
  }

  @Test
  void anAnswerOverTheSizeLimitFails() {
    McpToolClient small = client(settings().withMaxResultBytes(1000), Map.of());
    try {
      ToolResult.Failed f =
          failed(
              await(
                  small.call(
                      invocation(mcp(server.url(), List.of(), null), "big", "{\"chars\":5000}"))));
      assertEquals("tool_result_too_large", f.code());
      succeeded(
          await(
              small.call(
                  invocation(mcp(server.url(), List.of(), null), "big", "{\"chars\":500}"))));
    } finally {
      small.close();
    }
  }

  @Test
  void theCallsOfOneSessionShareOneMcpSessionAndSessionsDoNotShare() {
    ToolConnection.Mcp files = mcp(server.url(), List.of(), null);
    Duration t = Duration.ofSeconds(10);

    await(client.call(invocation("acme/a", files, "echo", "{\"text\":\"1\"}", t)));
    await(client.call(invocation("acme/a", files, "echo", "{\"text\":\"2\"}", t)));
    await(client.call(invocation("acme/b", files, "echo", "{\"text\":\"3\"}", t)));

    List<TestMcpServer.ToolCall> calls = server.toolCalls("echo");
    assertEquals(calls.get(0).mcpSession(), calls.get(1).mcpSession());
    assertNotEquals(calls.get(0).mcpSession(), calls.get(2).mcpSession());
    assertEquals(2, client.openClients());
  }

  @Test
  void aRestartedServerIsReconnectedToWithoutFailingTheCall() {
    ToolConnection.Mcp files = mcp(server.url(), List.of(), null);
    succeeded(await(client.call(invocation(files, "echo", "{\"text\":\"before\"}"))));

    server.restart();
    JsonNode after =
        succeeded(await(client.call(invocation(files, "echo", "{\"text\":\"after\"}"))));

    assertEquals("after", after.asText());
    List<TestMcpServer.ToolCall> calls = server.toolCalls("echo");
    assertEquals(2, calls.size(), "the call ran once on the restarted server");
    assertNotEquals(calls.get(0).mcpSession(), calls.get(1).mcpSession());
    assertEquals(1, client.openClients());
  }

  @Test
  void aServerThatIsDownIsUnreachableAndTheNextCallReconnects() {
    ToolConnection.Mcp files = mcp(server.url(), List.of(), null);
    succeeded(await(client.call(invocation(files, "echo", "{\"text\":\"1\"}"))));

    server.stop();
    ToolResult.Failed f = failed(await(client.call(invocation(files, "echo", "{\"text\":\"2\"}"))));
    assertEquals("tool_unreachable", f.code());

    server.restart();
    assertEquals(
        "3", succeeded(await(client.call(invocation(files, "echo", "{\"text\":\"3\"}")))).asText());
  }

  @Test
  void releasingASessionClosesItsClientsOnly() throws InterruptedException {
    ToolConnection.Mcp files = mcp(server.url(), List.of(), null);
    Duration t = Duration.ofSeconds(10);
    await(client.call(invocation("acme/a", files, "echo", "{\"text\":\"1\"}", t)));
    await(client.call(invocation("acme/b", files, "echo", "{\"text\":\"2\"}", t)));
    String sessionOfA = server.toolCalls("echo").get(0).mcpSession();

    client.release("acme/a");

    assertEquals(1, client.openClients());
    assertTrue(
        eventually(
            () ->
                server.requests("DELETE").stream()
                    .anyMatch(r -> sessionOfA.equals(r.mcpSession()))));
    assertTrue(
        server.requests("DELETE").stream().noneMatch(r -> !sessionOfA.equals(r.mcpSession())));
  }

  @Test
  void overThePoolLimitTheLeastRecentlyUsedIdleClientIsClosed() throws InterruptedException {
    McpToolClient one =
        client(
            settings()
                .withMcp(
                    new ToolSettings.McpLimits(1, Duration.ofMinutes(5), 1 << 20, 1, 128, 1 << 20)),
            Map.of());
    try {
      ToolConnection.Mcp files = mcp(server.url(), List.of(), null);
      Duration t = Duration.ofSeconds(10);
      succeeded(await(one.call(invocation("acme/a", files, "echo", "{\"text\":\"1\"}", t))));
      String sessionOfA = server.toolCalls("echo").get(0).mcpSession();

      succeeded(await(one.call(invocation("acme/b", files, "echo", "{\"text\":\"2\"}", t))));

      assertEquals(1, one.openClients());
      assertTrue(
          eventually(
              () ->
                  server.requests("DELETE").stream()
                      .anyMatch(r -> sessionOfA.equals(r.mcpSession()))));
    } finally {
      one.close();
    }
  }

  @Test
  void anIdleClientIsClosed() throws InterruptedException {
    McpToolClient quick =
        client(
            settings()
                .withMcp(
                    new ToolSettings.McpLimits(
                        10, Duration.ofMillis(100), 1 << 20, 1, 128, 1 << 20)),
            Map.of());
    try {
      succeeded(
          await(
              quick.call(
                  invocation(mcp(server.url(), List.of(), null), "echo", "{\"text\":\"1\"}"))));

      assertTrue(eventually(() -> quick.openClients() == 0));
      assertTrue(eventually(() -> server.requests("DELETE").size() == 1));
    } finally {
      quick.close();
    }
  }

  @Test
  void argumentsThatAreNotAnObjectAreRefused() {
    ToolResult.Failed f =
        failed(await(client.call(invocation(mcp(server.url(), List.of(), null), "echo", "[1,2]"))));

    assertEquals("invalid_invocation", f.code());
    assertTrue(server.requests().isEmpty());
  }

  @Test
  void theCredentialIsSentAsABearerTokenOnEveryRequest() {
    ToolConnection.Mcp files = mcp(server.url(), List.of(), "FILES_TOKEN");

    succeeded(await(client.call(invocation(files, "echo", "{\"text\":\"x\"}"))));

    assertFalse(server.requests().isEmpty());
    assertTrue(server.requests().stream().allMatch(r -> "Bearer s3cret".equals(r.authorization())));
    assertTrue(server.requests("POST").stream().allMatch(r -> "acme/s1".equals(r.agentSession())));
  }

  @Test
  void noAuthorizationWithoutASecretRef() {
    succeeded(
        await(
            client.call(
                invocation(mcp(server.url(), List.of(), null), "echo", "{\"text\":\"x\"}"))));

    assertTrue(server.requests().stream().allMatch(r -> r.authorization() == null));
  }

  @Test
  void aMissingSecretFailsTheCallAndTheDiscoveryWithoutARequest() {
    ToolConnection.Mcp files = mcp(server.url(), List.of(), "NO_SUCH_SECRET");

    ToolResult.Failed f = failed(await(client.call(invocation(files, "echo", "{}"))));
    ToolException e = discoveryFailure(files);

    assertEquals("secret_missing", f.code());
    assertTrue(f.message().contains("NO_SUCH_SECRET"));
    assertEquals("secret_missing", e.code());
    assertTrue(server.requests().isEmpty());
  }

  @Test
  void theIdempotencyKeyTravelsInMeta() {
    await(client.call(invocation(mcp(server.url(), List.of(), null), "echo", "{\"text\":\"x\"}")));

    assertEquals(
        "call-echo-1",
        server.toolCalls("echo").get(0).meta().get("io.agentruntime/idempotency-key"));
  }

  @Test
  void aHostOutsideTheAllowListIsNeverContacted() {
    McpToolClient strict =
        client(settings().withAllowedHosts(ToolHosts.parse("tools.internal")), Map.of());
    try {
      ToolConnection.Mcp files = mcp(server.url(), List.of(), null);
      ToolResult.Failed f = failed(await(strict.call(invocation(files, "echo", "{}"))));
      ToolException e = assertThrows(ToolException.class, () -> unwrap(strict, files));

      assertEquals("host_not_allowed", f.code());
      assertTrue(f.message().contains("127.0.0.1"), f.message());
      assertEquals("host_not_allowed", e.code());
      assertTrue(server.requests().isEmpty());
    } finally {
      strict.close();
    }
  }

  @Test
  void discoveringAnUnreachableServerFails() throws Exception {
    int freePort;
    try (ServerSocket socket = new ServerSocket(0)) {
      freePort = socket.getLocalPort();
    }
    ToolException e =
        discoveryFailure(mcp("http://127.0.0.1:" + freePort + "/mcp", List.of(), null));

    assertEquals("tool_unreachable", e.code());
  }

  @Test
  void aDiscoveryOfMoreToolsThanAConnectionMayHoldIsRefused() {
    McpToolClient small =
        client(
            settings()
                .withMcp(
                    new ToolSettings.McpLimits(10, Duration.ofMinutes(5), 1 << 20, 1, 2, 1 << 20)),
            Map.of());
    try {
      ToolException e =
          assertThrows(
              ToolException.class, () -> unwrap(small, mcp(server.url(), List.of(), null)));
      List<ToolSpec> two =
          await(
              small.discover(
                  ToolFixtures.TENANT, mcp(server.url(), List.of("echo", "fail"), null)));

      assertEquals("mcp_discovery_too_large", e.code());
      assertTrue(e.getMessage().contains("more than the 2"), e.getMessage());
      assertEquals(2, two.size(), "allow narrows what is held");
    } finally {
      small.close();
    }
  }

  @Test
  void aDiscoveryLargerThanAConnectionMayHoldIsRefused() {
    McpToolClient small =
        client(
            settings()
                .withMcp(
                    new ToolSettings.McpLimits(10, Duration.ofMinutes(5), 1 << 20, 1, 128, 300)),
            Map.of());
    try {
      ToolException e =
          assertThrows(
              ToolException.class, () -> unwrap(small, mcp(server.url(), List.of(), null)));

      assertEquals("mcp_discovery_too_large", e.code());
      assertTrue(e.getMessage().contains("bytes"), e.getMessage());
    } finally {
      small.close();
    }
  }

  @Test
  void aDiscoveryErrorEchoingTheCredentialIsRedacted() throws Exception {
    try (EchoingRpcServer echoing = EchoingRpcServer.start()) {
      ToolException e = discoveryFailure(mcp(echoing.url(), List.of(), "FILES_TOKEN"));

      assertEquals("mcp_error", e.code());
      assertTrue(echoing.sawBearer("s3cret"), "the server got the credential");
      assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
      assertTrue(e.getMessage().contains("[redacted]"), e.getMessage());
    }
  }

  /**
   * An MCP server (JSON over Streamable HTTP) that initializes, then answers tools/list with a
   * JSON-RPC error quoting the request's Authorization header.
   */
  private static final class EchoingRpcServer implements AutoCloseable {
    private final com.sun.net.httpserver.HttpServer http;
    private final java.util.List<String> authorizations =
        new java.util.concurrent.CopyOnWriteArrayList<>();

    private EchoingRpcServer(com.sun.net.httpserver.HttpServer http) {
      this.http = http;
    }

    static EchoingRpcServer start() throws java.io.IOException {
      com.sun.net.httpserver.HttpServer http =
          com.sun.net.httpserver.HttpServer.create(
              new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
      EchoingRpcServer server = new EchoingRpcServer(http);
      http.createContext("/mcp", server::handle);
      http.start();
      return server;
    }

    String url() {
      return "http://127.0.0.1:" + http.getAddress().getPort() + "/mcp";
    }

    boolean sawBearer(String secret) {
      return authorizations.contains("Bearer " + secret);
    }

    private void handle(com.sun.net.httpserver.HttpExchange exchange) throws java.io.IOException {
      try (exchange) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        authorizations.add(String.valueOf(auth));
        if (!exchange.getRequestMethod().equals("POST")) {
          exchange.sendResponseHeaders(405, -1);
          return;
        }
        JsonNode rpc = MAPPER.readTree(exchange.getRequestBody().readAllBytes());
        if (!rpc.has("id")) {
          exchange.sendResponseHeaders(202, -1);
          return;
        }
        com.fasterxml.jackson.databind.node.ObjectNode answer =
            MAPPER.createObjectNode().put("jsonrpc", "2.0").set("id", rpc.get("id"));
        if (rpc.path("method").asText().equals("initialize")) {
          answer.set(
              "result",
              json(
                  "{\"protocolVersion\": "
                      + rpc.at("/params/protocolVersion")
                      + ", \"capabilities\": {\"tools\": {}},"
                      + " \"serverInfo\": {\"name\": \"echoing\", \"version\": \"1\"}}"));
        } else {
          answer.set(
              "error",
              MAPPER
                  .createObjectNode()
                  .put("code", -32001)
                  .put("message", "credentials " + auth + " are not welcome here"));
        }
        byte[] body = MAPPER.writeValueAsBytes(answer);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
    }

    @Override
    public void close() {
      http.stop(0);
    }
  }

  private ToolException discoveryFailure(ToolConnection.Mcp connection) {
    return assertThrows(ToolException.class, () -> unwrap(client, connection));
  }

  private static void unwrap(McpToolClient client, ToolConnection.Mcp connection) throws Throwable {
    try {
      client.discover(ToolFixtures.TENANT, connection).toCompletableFuture().get();
    } catch (ExecutionException e) {
      throw e.getCause();
    }
  }

  private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }
}
