package io.agentruntime.runtime.model;

import java.util.List;

/** The model's step: text, tool calls (empty when it answered), and the tokens it counted. */
public record ModelReply(
    String text, List<ToolCall> toolCalls, long inputTokens, long outputTokens) {
  public ModelReply {
    toolCalls = List.copyOf(toolCalls);
  }
}
