package io.agentruntime.runtime.tools;

import static io.agentruntime.runtime.tools.ToolFixtures.MAPPER;
import static io.agentruntime.runtime.tools.ToolFixtures.await;
import static io.agentruntime.runtime.tools.ToolFixtures.failed;
import static io.agentruntime.runtime.tools.ToolFixtures.invocation;
import static io.agentruntime.runtime.tools.ToolFixtures.json;
import static io.agentruntime.runtime.tools.ToolFixtures.settings;
import static io.agentruntime.runtime.tools.ToolFixtures.succeeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.agentruntime.runtime.model.ToolSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our MCP client against the protocol authors' reference server (Node.js), an independent
 * implementation. Skipped only where node or npm is missing; the server is installed with npm into
 * target/mcp-everything on the first run (a few seconds) and reused after.
 */
class EverythingServerInteropTest {

  private static EverythingServer server;
  private static McpToolClient client;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(EverythingServer.toolchainPresent(), "node and npm are needed for this test");
    EverythingServer.install();
    server = EverythingServer.start();
    client =
        new McpToolClient(
            RoutingToolExecutor.httpClient(settings()),
            settings(),
            ToolFixtures.secrets(Map.of()),
            MAPPER);
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static ToolConnection.Mcp everything(List<String> allow) {
    return new ToolConnection.Mcp("everything", server.url(), allow, null);
  }

  @Test
  void discoveryNamesTheAllowedToolsAndKeepsTheirSchemas() {
    List<ToolSpec> tools =
        await(client.discover(ToolFixtures.TENANT, everything(List.of("echo", "get-sum"))));

    assertEquals(
        List.of("everything__echo", "everything__get-sum"),
        tools.stream().map(ToolSpec::name).sorted().toList());
    ToolSpec sum =
        tools.stream().filter(t -> t.name().endsWith("get-sum")).findFirst().orElseThrow();
    assertEquals("Returns the sum of two numbers", sum.description());
    assertEquals("number", sum.parameters().at("/properties/a/type").asText());
  }

  @Test
  void aTextToolAnswersItsText() {
    assertEquals(
        json("\"Echo: hello\""),
        succeeded(
            await(
                client.call(
                    invocation(everything(List.of()), "echo", "{\"message\":\"hello\"}")))));
    assertEquals(
        json("\"The sum of 2 and 3 is 5.\""),
        succeeded(
            await(client.call(invocation(everything(List.of()), "get-sum", "{\"a\":2,\"b\":3}")))));
  }

  @Test
  void aStructuredToolAnswersItsStructuredContent() {
    ToolResult result =
        await(
            client.call(
                invocation(
                    everything(List.of()),
                    "get-structured-content",
                    "{\"location\":\"Chicago\"}")));

    assertEquals(
        json("{\"temperature\":36,\"conditions\":\"Light rain / drizzle\",\"humidity\":82}"),
        succeeded(result));
  }

  @Test
  void invalidArgumentsFailTheCall() {
    ToolResult.Failed f =
        failed(
            await(
                client.call(
                    invocation(everything(List.of()), "get-sum", "{\"a\":\"two\",\"b\":3}"))));

    // This server reports a validation failure as a tool result with isError, not a JSON-RPC error.
    assertEquals("tool_error", f.code());
    assertTrue(f.message().contains("Invalid arguments"), f.message());
  }

  @Test
  void aRestartedServerIsReconnectedToWithoutFailingTheCall() throws Exception {
    ToolConnection.Mcp connection = everything(List.of());
    succeeded(await(client.call(invocation(connection, "echo", "{\"message\":\"before\"}"))));

    server.restart();

    assertEquals(
        json("\"Echo: after\""),
        succeeded(await(client.call(invocation(connection, "echo", "{\"message\":\"after\"}")))));
  }
}
