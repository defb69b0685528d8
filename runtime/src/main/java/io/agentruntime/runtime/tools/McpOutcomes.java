package io.agentruntime.runtime.tools;

import static io.agentruntime.runtime.tools.ToolFailures.failed;
import static io.agentruntime.runtime.tools.ToolFailures.unknown;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.modelcontextprotocol.client.transport.McpHttpClientTransportAuthorizationException;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.net.ssl.SSLHandshakeException;

/**
 * What an MCP call's answer or failure means for the session. A successful result is, in this
 * order: the tool's {@code structuredContent} when it gives one; its text when every content item
 * is text (items joined by a newline); otherwise {@code {"content": [...]}} with the MCP content
 * items as they came (images, resources ...). A result with {@code isError} is a {@code tool_error}
 * quoting the tool's text.
 */
final class McpOutcomes {

  private static final TypeReference<List<McpSchema.Content>> CONTENT_LIST =
      new TypeReference<>() {};

  private final ObjectMapper mapper;
  private final ToolSettings settings;

  McpOutcomes(ObjectMapper mapper, ToolSettings settings) {
    this.mapper = mapper;
    this.settings = settings;
  }

  ToolResult result(McpSchema.CallToolResult answer) {
    List<McpSchema.Content> content = answer.content() == null ? List.of() : answer.content();
    if (Boolean.TRUE.equals(answer.isError())) {
      String text = ToolFailures.excerpt(text(content), settings.errorExcerptChars());
      return failed(ToolFailures.TOOL_ERROR, text.isEmpty() ? "the tool reported an error" : text);
    }
    JsonNode result;
    if (answer.structuredContent() != null) {
      result = mapper.valueToTree(answer.structuredContent());
    } else if (content.stream().allMatch(c -> c instanceof McpSchema.TextContent)) {
      result = TextNode.valueOf(text(content));
    } else {
      result = mapper.createObjectNode().set("content", contentItems(content));
    }
    if (sizeOf(result) > settings.maxResultBytes()) {
      return failed(
          ToolFailures.TOOL_RESULT_TOO_LARGE,
          "the tool's answer is larger than " + settings.maxResultBytes() + " bytes");
    }
    return new ToolResult.Succeeded(result);
  }

  /**
   * What a failed tool call proves. Failed only when the failure shows the call did not run: the
   * server refused the connection, the credentials or the call (a JSON-RPC error), or the answer
   * was too large. A timeout or a broken exchange after the call may have been sent leaves the
   * outcome unknown: the server may have run the tool.
   */
  ToolResult callFailure(Throwable error, Duration timeout) {
    if (find(error, TimeoutException.class::isInstance).isPresent()) {
      return unknown(ToolFailures.TOOL_TIMEOUT, "the MCP server did not answer within " + timeout);
    }
    ToolResult.Failed failed = failure(error, timeout);
    if (!failed.code().equals(ToolFailures.TOOL_UNREACHABLE)
        || find(error, McpOutcomes::beforeSending).isPresent()) {
      return failed;
    }
    return unknown(ToolFailures.TOOL_CONNECTION_LOST, failed.message());
  }

  /** A failure that shows nothing was sent: no connection, unknown host, TLS handshake. */
  private static boolean beforeSending(Throwable t) {
    return t instanceof ConnectException
        || t instanceof UnresolvedAddressException
        || t instanceof UnknownHostException
        || t instanceof SSLHandshakeException;
  }

  /**
   * What a failed exchange with the server means; never quotes a request (it carries the
   * credential).
   */
  ToolResult.Failed failure(Throwable error, Duration timeout) {
    if (find(error, TimeoutException.class::isInstance).isPresent()) {
      return failed(ToolFailures.TOOL_TIMEOUT, "the MCP server did not answer within " + timeout);
    }
    if (find(error, McpHttpClientTransportAuthorizationException.class::isInstance).isPresent()) {
      return failed(
          ToolFailures.TOOL_HTTP_ERROR, "the MCP server refused the credentials (HTTP 401/403)");
    }
    if (find(error, t -> t.getClass().getSimpleName().equals("MaxSizeExceededException"))
        .isPresent()) {
      return failed(
          ToolFailures.TOOL_RESULT_TOO_LARGE,
          "an MCP message is larger than " + settings.mcp().maxMessageBytes() + " bytes");
    }
    if (find(error, ConnectException.class::isInstance).isPresent()) {
      return failed(ToolFailures.TOOL_UNREACHABLE, "could not connect to the MCP server");
    }
    Optional<Throwable> rpc =
        find(error, t -> t instanceof McpError e && e.getJsonRpcError() != null);
    if (rpc.isPresent()) {
      McpSchema.JSONRPCResponse.JSONRPCError e = ((McpError) rpc.get()).getJsonRpcError();
      return failed(
          ToolFailures.MCP_ERROR,
          ToolFailures.excerpt(
              "MCP error " + e.code() + ": " + e.message(), settings.errorExcerptChars()));
    }
    Throwable root = rootCause(error);
    String detail = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return failed(
        ToolFailures.TOOL_UNREACHABLE,
        ToolFailures.excerpt(
            "the exchange with the MCP server failed: " + detail, settings.errorExcerptChars()));
  }

  /**
   * Whether the client is still good after this failure; a server's answer or a slow tool do not
   * break it.
   */
  static boolean clientSurvives(Throwable error) {
    return find(error, TimeoutException.class::isInstance).isPresent()
        || find(error, t -> t instanceof McpError e && e.getJsonRpcError() != null).isPresent();
  }

  private static String text(List<McpSchema.Content> content) {
    return content.stream()
        .filter(McpSchema.TextContent.class::isInstance)
        .map(c -> ((McpSchema.TextContent) c).text())
        .collect(Collectors.joining("\n"));
  }

  /** Written as MCP content items: each with its "type", which a plain List loses to erasure. */
  private JsonNode contentItems(List<McpSchema.Content> content) {
    try {
      return mapper.readTree(mapper.writerFor(CONTENT_LIST).writeValueAsBytes(content));
    } catch (IOException e) {
      throw new IllegalStateException("MCP content cannot be written as JSON", e);
    }
  }

  private int sizeOf(JsonNode result) {
    try {
      return mapper.writeValueAsBytes(result).length;
    } catch (JsonProcessingException e) {
      return Integer.MAX_VALUE;
    }
  }

  private static Optional<Throwable> find(Throwable error, Predicate<Throwable> test) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (test.test(t)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  private static Throwable rootCause(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }
}
