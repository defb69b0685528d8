package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A tool call of the running turn that has no outcome yet: waiting for approval, running (its
 * {@code idempotencyKey} journaled), or in doubt after a crash. {@code definition} is the tool as
 * journaled when the call was asked about or started (null before that was journaled).
 */
public record PendingCall(
    String turnId,
    String toolCallId,
    String tool,
    JsonNode arguments,
    Stage stage,
    String idempotencyKey,
    String approvalId,
    ToolDefinition definition) {

  public PendingCall(
      String turnId,
      String toolCallId,
      String tool,
      JsonNode arguments,
      Stage stage,
      String idempotencyKey,
      String approvalId) {
    this(turnId, toolCallId, tool, arguments, stage, idempotencyKey, approvalId, null);
  }

  public enum Stage {
    AWAITING_APPROVAL,
    RUNNING,
    IN_DOUBT
  }

  PendingCall at(Stage next, String key, String approval) {
    return new PendingCall(turnId, toolCallId, tool, arguments, next, key, approval, definition);
  }
}
