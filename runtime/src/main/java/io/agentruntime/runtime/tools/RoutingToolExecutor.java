package io.agentruntime.runtime.tools;

import static io.agentruntime.runtime.tools.ToolFailures.failed;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.runtime.model.ToolSpec;
import java.net.http.HttpClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ToolExecutor} of a node: HTTP tools and MCP servers, by connection kind. Close it on
 * shutdown (it holds the MCP client sessions and their threads).
 */
public final class RoutingToolExecutor implements ToolExecutor, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RoutingToolExecutor.class);

  private final HttpToolClient http;
  private final McpToolClient mcp;
  private final ToolHosts hosts;

  public RoutingToolExecutor(HttpToolClient http, McpToolClient mcp, ToolHosts hosts) {
    this.http = http;
    this.mcp = mcp;
    this.hosts = hosts;
  }

  public RoutingToolExecutor(HttpToolClient http, McpToolClient mcp) {
    this(http, mcp, ToolHosts.parse("*"));
  }

  @Override
  public java.util.Optional<String> refusal(ToolConnection connection) {
    return hosts.refusal(connection.url());
  }

  /**
   * Everything from settings; {@code mapper} is the JSON mapper results are read with (Pekko's, so
   * results journal the way the rest of the session does).
   */
  public static RoutingToolExecutor create(ToolSettings settings, ObjectMapper mapper) {
    HttpClient client = httpClient(settings);
    Secrets secrets = Secrets.fromEnvironment(settings.secretsFile());
    return new RoutingToolExecutor(
        new HttpToolClient(client, settings, secrets, mapper),
        new McpToolClient(client, settings, secrets, mapper),
        settings.allowedHosts());
  }

  /**
   * The one HTTP client of tool calls. Redirects are never followed: a redirect could lead to a
   * host the allow-list was never asked about. HTTP/1.1, because h2c upgrades trip some tool
   * servers.
   */
  public static HttpClient httpClient(ToolSettings settings) {
    return HttpClient.newBuilder()
        .connectTimeout(settings.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  @Override
  public CompletionStage<ToolResult> call(ToolInvocation invocation) {
    try {
      CompletionStage<ToolResult> result;
      if (invocation.connection() instanceof ToolConnection.Http) {
        result = http.call(invocation);
      } else if (invocation.connection() instanceof ToolConnection.Mcp) {
        result = mcp.call(invocation);
      } else {
        result =
            CompletableFuture.completedFuture(
                failed(ToolFailures.INVALID_INVOCATION, "the call names no tool connection"));
      }
      return result.exceptionally(this::internalError);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(internalError(e));
    }
  }

  @Override
  public CompletionStage<List<ToolSpec>> discover(String tenant, ToolConnection.Mcp connection) {
    return mcp.discover(tenant, connection);
  }

  @Override
  public CompletionStage<List<ToolSpec>> discover(
      String tenant, ToolConnection.Mcp connection, Bearer bearer) {
    return mcp.discover(tenant, connection, bearer);
  }

  @Override
  public void release(String sessionKey) {
    mcp.release(sessionKey);
  }

  @Override
  public void close() {
    mcp.close();
  }

  private ToolResult internalError(Throwable error) {
    log.error("A tool call failed unexpectedly", error);
    return failed(ToolFailures.INTERNAL_ERROR, "the tool call failed unexpectedly");
  }
}
