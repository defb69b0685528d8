package io.agentruntime.runtime.tools;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a tool call ended, as far as the caller can prove it: an answer ({@link Succeeded}), proof
 * that it failed ({@link Failed}), or nothing provable ({@link Unknown}).
 */
public sealed interface ToolResult {

  /** The tool's answer, as JSON. */
  record Succeeded(JsonNode result) implements ToolResult {}

  /**
   * Proven failure: the tool answered with an error, or the request provably never left (refused
   * connection, unknown host, TLS handshake, a refused host or secret), or the answer was too
   * large. {@code code} is stable (tool_http_error, tool_unreachable, host_not_allowed ...).
   */
  record Failed(String code, String message) implements ToolResult {}

  /**
   * The request may have reached the tool and no answer came: a timeout, a connection reset or a
   * stream closed after the request was written. The tool may have acted, so the call is in doubt
   * (a non-idempotent call is never sent again without a human). {@code code} is stable
   * (tool_timeout, tool_connection_lost).
   */
  record Unknown(String code, String message) implements ToolResult {}
}
