package io.agentruntime.runtime.tools;

import com.fasterxml.jackson.databind.JsonNode;

/** How a tool call ended. */
public sealed interface ToolResult {

  /** The tool's answer, as JSON. */
  record Succeeded(JsonNode result) implements ToolResult {}

  /** No answer: {@code code} is stable (tool_timeout, tool_http_error, host_not_allowed ...). */
  record Failed(String code, String message) implements ToolResult {}
}
