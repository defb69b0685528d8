package io.agentruntime.runtime.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
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

  /** The code of a discovery that brought more than a connection may hold. */
  static final String DISCOVERY_TOO_LARGE = "mcp_discovery_too_large";

  // A server that keeps handing out cursors must not keep us listing forever.
  private static final int MAX_PAGES = 100;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final ToolGate gate;
  private final McpClients clients;
  private final McpOutcomes outcomes;
  private final ObjectMapper mapper;
  private final Executor executor;
  private final Duration timeout;
  private final ToolSettings.McpLimits limits;

  McpDiscovery(
      ToolGate gate,
      McpClients clients,
      McpOutcomes outcomes,
      ObjectMapper mapper,
      Executor executor,
      Duration timeout,
      ToolSettings.McpLimits limits) {
    this.gate = gate;
    this.clients = clients;
    this.outcomes = outcomes;
    this.mapper = mapper;
    this.executor = executor;
    this.timeout = timeout;
    this.limits = limits;
  }

  /** The allowed tools, or a failed stage whose exception is the {@link ToolException} itself. */
  CompletionStage<List<ToolSpec>> discover(
      String tenant, ToolConnection.Mcp connection, Bearer bearer) {
    Optional<ToolResult.Failed> refused =
        bearer != null ? gate.hostRefusal(connection) : gate.refusal(tenant, connection);
    if (refused.isPresent()) {
      return CompletableFuture.failedFuture(
          new ToolException(refused.get().code(), refused.get().message(), null));
    }
    CompletableFuture<List<ToolSpec>> discovered = new CompletableFuture<>();
    CompletableFuture.supplyAsync(
            () -> clients.open(tenant, connection, null, () -> bearer), executor)
        .thenCompose(
            client ->
                listTools(client).timeout(timeout).doFinally(signal -> close(client)).toFuture())
        .thenApply(tools -> specs(connection, tools))
        .whenComplete(
            (specs, error) -> {
              if (error == null) {
                Optional<String> tooLarge = tooLarge(specs);
                if (tooLarge.isPresent()) {
                  discovered.completeExceptionally(
                      new ToolException(
                          DISCOVERY_TOO_LARGE,
                          "discovering " + connection.url() + ": " + tooLarge.get(),
                          null));
                } else {
                  discovered.complete(specs);
                }
              } else {
                ToolResult.Failed f = outcomes.failure(ToolFailures.unwrap(error), timeout);
                // The server's own words (a JSON-RPC error) may echo the credential.
                String message =
                    EchoedSecrets.text(
                        f.message(),
                        bearer != null
                            ? Optional.of(bearer.token())
                            : gate.secret(tenant, connection));
                discovered.completeExceptionally(
                    new ToolException(
                        f.code(), "discovering " + connection.url() + ": " + message, null));
              }
            });
    return discovered;
  }

  /** Why the allowed tools are more than a connection may hold, if they are. */
  private Optional<String> tooLarge(List<ToolSpec> specs) {
    if (specs.size() > limits.maxDiscoveredTools()) {
      return Optional.of(
          "the server offers "
              + specs.size()
              + " tools, more than the "
              + limits.maxDiscoveredTools()
              + " a connection may hold (narrow them with allow)");
    }
    long bytes;
    try {
      bytes = mapper.writeValueAsBytes(specs).length;
    } catch (JsonProcessingException e) {
      bytes = Long.MAX_VALUE;
    }
    if (bytes > limits.maxDiscoveredBytes()) {
      return Optional.of(
          "the server's tools take "
              + bytes
              + " bytes as JSON, more than the "
              + limits.maxDiscoveredBytes()
              + " a connection may hold (narrow them with allow)");
    }
    return Optional.empty();
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
