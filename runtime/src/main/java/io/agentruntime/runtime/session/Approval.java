package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.CborSerializable;
import java.time.Instant;

/**
 * A question to a human about one tool call: {@code reason} {@code policy} (may it run, with
 * exactly these arguments, to this {@code definition} of the tool?) or {@code in_doubt} (did it
 * run? retry, fail, or give the result); or about a turn: {@code budget} (may its next model call
 * start past the session's budget? raise it, or deny and the turn fails). Decided once; denied (or
 * failed) when nobody decides before {@code expiresAt}. {@code definition} is null for approvals
 * journaled before it was.
 */
public record Approval(
    String id,
    String turnId,
    String toolCallId,
    String tool,
    JsonNode arguments,
    String reason,
    Instant requestedAt,
    Instant expiresAt,
    String status,
    String decidedBy,
    ToolDefinition definition)
    implements CborSerializable {

  public Approval(
      String id,
      String turnId,
      String toolCallId,
      String tool,
      JsonNode arguments,
      String reason,
      Instant requestedAt,
      Instant expiresAt,
      String status,
      String decidedBy) {
    this(
        id,
        turnId,
        toolCallId,
        tool,
        arguments,
        reason,
        requestedAt,
        expiresAt,
        status,
        decidedBy,
        null);
  }

  public static final String POLICY = "policy";
  public static final String IN_DOUBT = "in_doubt";

  /**
   * A model call would start past the session's budget (decision 0039): no tool call, {@code
   * arguments} say which budget, its limit and what was used.
   */
  public static final String BUDGET = "budget";

  public static final String PENDING = "pending";

  public boolean pending() {
    return PENDING.equals(status);
  }

  Approval decided(String outcome, String by) {
    return new Approval(
        id,
        turnId,
        toolCallId,
        tool,
        arguments,
        reason,
        requestedAt,
        expiresAt,
        outcome,
        by,
        definition);
  }
}
