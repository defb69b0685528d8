package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One message of the conversation as a model sees it. {@code seq} is the journal sequence number
 * of the event that produced it. Fields that do not apply to the role are null.
 */
public record TranscriptEntry(
    long seq,
    String turnId,
    String role,
    String content,
    List<ToolCall> toolCalls,
    String toolCallId,
    String outcome) {

  public TranscriptEntry {
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
  }

  /** A call the model asked for. */
  public record ToolCall(String id, String name, JsonNode arguments) {}

  static TranscriptEntry user(long seq, String turnId, String content) {
    return new TranscriptEntry(seq, turnId, "user", content, List.of(), null, null);
  }
}
