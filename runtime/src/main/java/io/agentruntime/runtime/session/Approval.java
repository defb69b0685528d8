package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.CborSerializable;
import java.time.Instant;

/**
 * A question to a human about one tool call: {@code reason} {@code policy} (may it run, with
 * exactly these arguments, to this {@code definition} of the tool?) or {@code in_doubt} (did it
 * run? retry, fail, or give the result). Decided once; denied (or failed) when nobody decides
 * before {@code expiresAt}. {@code definition} is null for approvals journaled before it was.
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
  public static final String PENDING = "pending";

  /** What an expiry does: {@code deny} the call (the turn goes on) or {@code fail} the turn. */
  public static final String ON_EXPIRY_DENY = "deny";

  public static final String ON_EXPIRY_FAIL = "fail";

  /**
   * The path the turn takes when nobody decides in time: an in-doubt call fails its turn; a policy
   * approval is refused as a deny.
   */
  public String expiryPath() {
    return IN_DOUBT.equals(reason) ? ON_EXPIRY_FAIL : ON_EXPIRY_DENY;
  }

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
