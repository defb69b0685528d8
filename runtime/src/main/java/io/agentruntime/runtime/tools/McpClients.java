package io.agentruntime.runtime.tools;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;

/**
 * Builds SDK clients for MCP connections over Streamable HTTP. Building does no I/O: a client
 * initializes itself on its first request. The credential is looked up on every HTTP request the
 * transport makes, so a rotated secret is picked up by a client that is already open.
 */
final class McpClients {

  static final McpSchema.Implementation CLIENT_INFO =
      new McpSchema.Implementation("agent-runtime", "1");

  /** Context key under which a call's id reaches the request customizer. */
  static final String CALL_ID = "io.agentruntime.call-id";

  private final HttpClient http;
  private final ToolSettings settings;
  private final Secrets secrets;
  private final McpJsonMapper json;

  /** {@code http} is the client every transport shares (see {@link CallTrackingHttpClient}). */
  McpClients(HttpClient http, ToolSettings settings, Secrets secrets, McpJsonMapper json) {
    this.http = http;
    this.settings = settings;
    this.secrets = secrets;
    this.json = json;
  }

  /**
   * A client for {@code connection} of a session of {@code tenant}, whose secrets only it sends;
   * {@code sessionKey} (null when none) is sent as X-Agent-Session.
   */
  McpAsyncClient open(String tenant, ToolConnection.Mcp connection, String sessionKey) {
    return open(tenant, connection, sessionKey, () -> null);
  }

  /**
   * As {@link #open(String, ToolConnection.Mcp, String)}, sending {@code bearer}'s token when it
   * has one (a vault credential resolved for the latest call, decision 0029) instead of the
   * connection's granted secret.
   */
  McpAsyncClient open(
      String tenant,
      ToolConnection.Mcp connection,
      String sessionKey,
      java.util.function.Supplier<Bearer> bearer) {
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder(connection.url())
            .endpoint(connection.url())
            .clientBuilder(new SharedHttpClientBuilder(http))
            .jsonMapper(json)
            .maxResponseSize(settings.mcp().maxMessageBytes())
            .httpRequestCustomizer(
                (request, method, uri, body, context) -> {
                  headers(request, tenant, connection, sessionKey, bearer.get());
                  Object call = context.get(CALL_ID);
                  if (call != null && method.equals("POST")) {
                    request.setHeader(CallTrackingHttpClient.CALL_HEADER, call.toString());
                  }
                })
            .build();
    return McpClient.async(transport)
        .clientInfo(CLIENT_INFO)
        // Each call bounds itself with its own timeout; these only stop what nothing else would.
        .requestTimeout(settings.maxTimeout())
        .initializationTimeout(settings.maxTimeout())
        .build();
  }

  private void headers(
      HttpRequest.Builder request,
      String tenant,
      ToolConnection.Mcp connection,
      String sessionKey,
      Bearer bearer) {
    if (bearer != null) {
      if (Secrets.fitsInHeader(bearer.token())) {
        request.setHeader("Authorization", "Bearer " + bearer.token());
      }
    } else if (connection.secretRef() != null) {
      secrets
          .resolve(tenant, connection.secretRef())
          .filter(Secrets::fitsInHeader)
          .ifPresent(secret -> request.setHeader("Authorization", "Bearer " + secret));
    }
    if (sessionKey != null) {
      request.setHeader("X-Agent-Session", sessionKey);
    }
  }
}
