package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One message of the conversation as a model sees it. {@code seq} is the journal sequence number of
 * the event that produced it. Fields that do not apply to the role are null.
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

  /**
   * A call the model asked for. {@code arguments} is a JSON object, or the text the model sent when
   * that was not one (the call then fails with invalid_arguments).
   */
  public record ToolCall(String id, String name, JsonNode arguments) {
    public ToolCall {
      arguments =
          arguments == null || arguments.isMissingNode()
              ? com.fasterxml.jackson.databind.node.NullNode.getInstance()
              : arguments;
    }
  }

  static TranscriptEntry user(long seq, String turnId, String content) {
    return new TranscriptEntry(seq, turnId, "user", content, List.of(), null, null);
  }

  /**
   * The {@code outcome} of a user message that steered a running turn (decision 0024); a message
   * that opened its turn has none.
   */
  public static final String STEERED = "steered";

  static TranscriptEntry steered(long seq, String turnId, String content) {
    return new TranscriptEntry(seq, turnId, "user", content, List.of(), null, STEERED);
  }

  /** A user message that steered a running turn rather than opened it. */
  boolean steering() {
    return STEERED.equals(outcome) && "user".equals(role);
  }

  static TranscriptEntry assistant(
      long seq, String turnId, String content, List<ToolCall> toolCalls) {
    return new TranscriptEntry(seq, turnId, "assistant", content, toolCalls, null, null);
  }

  static TranscriptEntry tool(
      long seq, String turnId, String toolCallId, String content, String outcome) {
    return new TranscriptEntry(seq, turnId, "tool", content, List.of(), toolCallId, outcome);
  }
}
