package io.agentruntime.http.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.session.TranscriptEntry;
import java.util.List;

/**
 * {@code GET .../messages}: the conversation in order. Fields that do not apply to a role are null.
 */
public record TranscriptBody(List<MessageBody> messages) {

  public record MessageBody(
      long seq,
      String turnId,
      String role,
      String content,
      List<ToolCallBody> toolCalls,
      String toolCallId,
      String outcome) {}

  public record ToolCallBody(String id, String name, JsonNode arguments) {}

  public static TranscriptBody of(List<TranscriptEntry> entries) {
    return new TranscriptBody(entries.stream().map(TranscriptBody::message).toList());
  }

  private static MessageBody message(TranscriptEntry e) {
    return new MessageBody(
        e.seq(),
        e.turnId(),
        e.role(),
        e.content(),
        e.toolCalls().stream().map(c -> new ToolCallBody(c.id(), c.name(), c.arguments())).toList(),
        e.toolCallId(),
        e.outcome());
  }
}
