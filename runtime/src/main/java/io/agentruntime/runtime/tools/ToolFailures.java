package io.agentruntime.runtime.tools;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The stable codes a failed tool call carries (clients see them), and how messages quote a tool.
 */
public final class ToolFailures {

  /** The destination is not in the allow-list of tool hosts; nothing was sent. */
  public static final String HOST_NOT_ALLOWED = "host_not_allowed";

  /**
   * The connection's secretRef names no secret granted to the session's tenant; nothing was sent.
   */
  public static final String SECRET_MISSING = "secret_missing";

  /** The secret holds characters an HTTP header cannot carry; nothing was sent. */
  public static final String SECRET_INVALID = "secret_invalid";

  /** The tool answered with a status other than 2xx. */
  public static final String TOOL_HTTP_ERROR = "tool_http_error";

  /** No answer within the call's timeout: the tool may or may not have acted (unknown). */
  public static final String TOOL_TIMEOUT = "tool_timeout";

  /**
   * The tool could not be reached (refused connection, unknown host, TLS handshake, connect
   * timeout): the request was never sent.
   */
  public static final String TOOL_UNREACHABLE = "tool_unreachable";

  /**
   * The connection broke after the request may have been written (reset, closed stream): the tool
   * may or may not have acted (unknown).
   */
  public static final String TOOL_CONNECTION_LOST = "tool_connection_lost";

  /** The answer exceeded the size limit; it was not read further. */
  public static final String TOOL_RESULT_TOO_LARGE = "tool_result_too_large";

  /** An MCP tool reported an error ({@code isError}). */
  public static final String TOOL_ERROR = "tool_error";

  /** An MCP server answered with a JSON-RPC error (unknown tool, invalid arguments ...). */
  public static final String MCP_ERROR = "mcp_error";

  /** The invocation itself was unusable (no connection ...). */
  public static final String INVALID_INVOCATION = "invalid_invocation";

  /** A bug of ours: a call must still end in a result. */
  public static final String INTERNAL_ERROR = "tool_internal_error";

  private ToolFailures() {}

  public static ToolResult.Failed failed(String code, String message) {
    return new ToolResult.Failed(code, message);
  }

  public static ToolResult.Unknown unknown(String code, String message) {
    return new ToolResult.Unknown(code, message);
  }

  /** A tool's text on one line, cut to {@code maxChars}, for a failure message. */
  static String excerpt(String text, int maxChars) {
    String oneLine = text == null ? "" : text.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= maxChars ? oneLine : oneLine.substring(0, maxChars) + "...";
  }

  /** The failure inside the wrappers that futures put around it. */
  static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
