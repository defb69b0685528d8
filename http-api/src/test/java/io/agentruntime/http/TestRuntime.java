package io.agentruntime.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.agentruntime.runtime.directory.InMemorySessionDirectory;
import io.agentruntime.runtime.model.ConfiguredModelProviders;
import io.agentruntime.runtime.model.ModelClient;
import io.agentruntime.runtime.model.ModelException;
import io.agentruntime.runtime.model.ScriptedModel;
import io.agentruntime.runtime.model.ToolSpec;
import io.agentruntime.runtime.session.SessionRuntime;
import io.agentruntime.runtime.tools.ToolConnection;
import io.agentruntime.runtime.tools.ToolException;
import io.agentruntime.runtime.tools.ToolExecutor;
import io.agentruntime.runtime.tools.ToolInvocation;
import io.agentruntime.runtime.tools.ToolResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent loop of the test nodes, with nothing outside the JVM. Models: {@code default} and
 * {@code scripted} are the runtime's scripted model ({@code /tool NAME {json}} calls a tool, else
 * {@code echo: <message>}, its text streamed a few words at a time); {@code stall} never answers,
 * so that its turns stay running; {@code broken} fails every call. Tools (whatever URL they are
 * connected under): {@code echo} answers {@code {"echoed": <arguments>}}, {@code hang} never
 * answers, {@code gate} answers when a test completes the future it finds in {@link #gates}, any
 * other fails. An MCP server whose URL contains {@code unreachable} cannot be reached; any other
 * offers one tool, {@code search}.
 */
final class TestRuntime {

  /** How many MCP discoveries were attempted, to check that a refused caller triggers none. */
  static final AtomicInteger discoveries = new AtomicInteger();

  /** The calls of the tool {@code gate} not yet taken by a test, each answered as it completes. */
  static final BlockingQueue<CompletableFuture<ToolResult>> gates = new LinkedBlockingQueue<>();

  private TestRuntime() {}

  static SessionRuntime of(Config config) {
    ScriptedModel scripted = new ScriptedModel();
    ModelClient stall = (request, onDelta) -> new CompletableFuture<>();
    ModelClient broken =
        (request, onDelta) ->
            CompletableFuture.failedFuture(
                new ModelException("model_unavailable", "the test model is down"));
    return SessionRuntime.of(
        config,
        new InMemorySessionDirectory(),
        new ConfiguredModelProviders(
            Map.of("default", scripted, "scripted", scripted, "stall", stall, "broken", broken)),
        new Tools());
  }

  private static final class Tools implements ToolExecutor {

    @Override
    public CompletionStage<ToolResult> call(ToolInvocation invocation) {
      return switch (invocation.toolName()) {
        case "echo" ->
            CompletableFuture.completedFuture(
                new ToolResult.Succeeded(
                    Api.JSON.createObjectNode().set("echoed", invocation.arguments())));
        case "hang" -> new CompletableFuture<>();
        case "gate" -> {
          CompletableFuture<ToolResult> gate = new CompletableFuture<>();
          gates.add(gate);
          yield gate;
        }
        default ->
            CompletableFuture.completedFuture(
                new ToolResult.Failed(
                    "tool_http_error", "no such tool in the tests: " + invocation.toolName()));
      };
    }

    @Override
    public CompletionStage<List<ToolSpec>> discover(String tenant, ToolConnection.Mcp connection) {
      discoveries.incrementAndGet();
      if (connection.url().contains("unreachable")) {
        return CompletableFuture.failedFuture(
            new ToolException(
                "mcp_unreachable",
                "discovering " + connection.url() + ": connection refused",
                null));
      }
      JsonNode schema = Api.JSON.createObjectNode().put("type", "object");
      return CompletableFuture.completedFuture(
          List.of(new ToolSpec(connection.name() + "__search", "Searches.", schema)));
    }

    @Override
    public void release(String sessionKey) {}
  }
}
