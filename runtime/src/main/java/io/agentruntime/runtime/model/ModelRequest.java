package io.agentruntime.runtime.model;

import java.time.Duration;
import java.util.List;

/**
 * What a model is asked: the agent's instructions, the conversation so far (user, assistant and
 * tool messages in order) and the tools it may call. {@code timeout} bounds the whole call, retries
 * included.
 */
public record ModelRequest(
    String instructions, List<ModelMessage> messages, List<ToolSpec> tools, Duration timeout) {
  public ModelRequest {
    messages = List.copyOf(messages);
    tools = List.copyOf(tools);
  }
}
