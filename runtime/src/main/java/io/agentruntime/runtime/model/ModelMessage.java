package io.agentruntime.runtime.model;

import java.util.List;

/**
 * One message of the conversation in the shape chat models take. {@code role} is user, assistant or
 * tool; an assistant message may carry tool calls, a tool message answers the call {@code
 * toolCallId} with {@code content}.
 */
public record ModelMessage(
    String role, String content, List<ToolCall> toolCalls, String toolCallId) {
  public ModelMessage {
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
  }

  public static ModelMessage user(String content) {
    return new ModelMessage("user", content, List.of(), null);
  }

  public static ModelMessage assistant(String content, List<ToolCall> toolCalls) {
    return new ModelMessage("assistant", content, toolCalls, null);
  }

  public static ModelMessage tool(String toolCallId, String content) {
    return new ModelMessage("tool", content, List.of(), toolCallId);
  }
}
