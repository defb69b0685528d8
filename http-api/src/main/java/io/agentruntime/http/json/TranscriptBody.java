package io.agentruntime.http.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.session.SessionReply;
import io.agentruntime.runtime.session.TranscriptEntry;
import java.util.List;

/**
 * {@code GET .../messages}: a page of the conversation in order; {@code nextAfter} is the {@code
 * after} of the next page, null on the last. Fields that do not apply to a role are null.
 */
public record TranscriptBody(List<MessageBody> messages, Long nextAfter) {

  public record MessageBody(
      long seq,
      String turnId,
      String role,
      String content,
      List<ToolCallBody> toolCalls,
      String toolCallId,
      String outcome) {}

  public record ToolCallBody(String id, String name, JsonNode arguments) {}

  public static TranscriptBody of(SessionReply.TranscriptFound page) {
    return new TranscriptBody(
        page.messages().stream().map(TranscriptBody::message).toList(), page.nextAfter());
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
