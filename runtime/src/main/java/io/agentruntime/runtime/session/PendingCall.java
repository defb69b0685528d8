package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A tool call of the running turn that has no outcome yet: waiting for approval, running (its
 * {@code idempotencyKey} journaled), in doubt after a crash, or waiting for the client that runs it
 * (decision 0023; {@code expiresAt} is when it stops waiting, null for the other stages). {@code
 * definition} is the tool as journaled when the call was asked about or started (null before that
 * was journaled).
 */
public record PendingCall(
    String turnId,
    String toolCallId,
    String tool,
    JsonNode arguments,
    Stage stage,
    String idempotencyKey,
    String approvalId,
    ToolDefinition definition,
    Instant expiresAt) {

  public PendingCall(
      String turnId,
      String toolCallId,
      String tool,
      JsonNode arguments,
      Stage stage,
      String idempotencyKey,
      String approvalId,
      ToolDefinition definition) {
    this(turnId, toolCallId, tool, arguments, stage, idempotencyKey, approvalId, definition, null);
  }

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
    IN_DOUBT,
    /** Journaled for the client, which runs it and submits its result (decision 0023). */
    AWAITING_CLIENT
  }

  PendingCall at(Stage next, String key, String approval) {
    return new PendingCall(
        turnId, toolCallId, tool, arguments, next, key, approval, definition, expiresAt);
  }
}
