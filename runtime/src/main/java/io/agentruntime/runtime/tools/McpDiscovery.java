package io.agentruntime.runtime.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.runtime.model.ToolSpec;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import reactor.core.publisher.Mono;

/**
 * Lists an MCP server's tools when a connection is made: initialize, then tools/list page by page,
 * on a client of its own that is closed afterwards (the connection belongs to no session yet).
 * Tools are filtered by the connection's {@code allow} (empty: all) and named {@code
 * <connection>__<tool>}; a tool without an input schema gets {@code {"type":"object"}}.
 */
final class McpDiscovery {

  /** How a discovered tool is named for the model: {@code <connection>__<tool>}. */
  static final String SEPARATOR = "__";

  // A server that keeps handing out cursors must not keep us listing forever.
  private static final int MAX_PAGES = 100;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final ToolGate gate;
  private final McpClients clients;
  private final McpOutcomes outcomes;
  private final ObjectMapper mapper;
  private final Executor executor;
  private final Duration timeout;

  McpDiscovery(
      ToolGate gate,
      McpClients clients,
      McpOutcomes outcomes,
      ObjectMapper mapper,
      Executor executor,
      Duration timeout) {
    this.gate = gate;
    this.clients = clients;
    this.outcomes = outcomes;
    this.mapper = mapper;
    this.executor = executor;
    this.timeout = timeout;
  }

  /** The allowed tools, or a failed stage whose exception is the {@link ToolException} itself. */
  CompletionStage<List<ToolSpec>> discover(ToolConnection.Mcp connection) {
    Optional<ToolResult.Failed> refused = gate.refusal(connection);
    if (refused.isPresent()) {
      return CompletableFuture.failedFuture(
          new ToolException(refused.get().code(), refused.get().message(), null));
    }
    CompletableFuture<List<ToolSpec>> discovered = new CompletableFuture<>();
    CompletableFuture.supplyAsync(() -> clients.open(connection, null), executor)
        .thenCompose(
            client ->
                listTools(client).timeout(timeout).doFinally(signal -> close(client)).toFuture())
        .thenApply(tools -> specs(connection, tools))
        .whenComplete(
            (specs, error) -> {
              if (error == null) {
                discovered.complete(specs);
              } else {
                ToolResult.Failed f = outcomes.failure(ToolFailures.unwrap(error), timeout);
                discovered.completeExceptionally(
                    new ToolException(
                        f.code(), "discovering " + connection.url() + ": " + f.message(), null));
              }
            });
    return discovered;
  }

  private static Mono<List<McpSchema.Tool>> listTools(McpAsyncClient client) {
    return client
        .listTools(McpSchema.FIRST_PAGE)
        .expand(
            page ->
                page.nextCursor() == null || page.nextCursor().isEmpty()
                    ? Mono.empty()
                    : client.listTools(page.nextCursor()))
        .take(MAX_PAGES)
        .flatMapIterable(page -> page.tools() == null ? List.of() : page.tools())
        .collectList();
  }

  private List<ToolSpec> specs(ToolConnection.Mcp connection, List<McpSchema.Tool> tools) {
    return tools.stream()
        .filter(t -> connection.allow().isEmpty() || connection.allow().contains(t.name()))
        .map(t -> new ToolSpec(connection.name() + SEPARATOR + t.name(), description(t), schema(t)))
        .toList();
  }

  private static String description(McpSchema.Tool tool) {
    return tool.description() != null
        ? tool.description()
        : tool.title() != null ? tool.title() : "";
  }

  private JsonNode schema(McpSchema.Tool tool) {
    return tool.inputSchema() != null
        ? mapper.valueToTree(tool.inputSchema())
        : mapper.createObjectNode().put("type", "object");
  }

  private static void close(McpAsyncClient client) {
    client.closeGracefully().timeout(CLOSE_TIMEOUT).onErrorResume(e -> Mono.empty()).subscribe();
  }
}
