package io.agentruntime.runtime.session;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.ratelimits.RateLimitHit;
import java.time.Instant;

/**
 * A question to a human about one tool call: {@code reason} {@code policy} (may it run, with
 * exactly these arguments, to this {@code definition} of the tool?) or {@code in_doubt} (did it
 * run? retry, fail, or give the result); or about a turn: {@code budget} (may its next model call
 * start past the session's budget? raise it, or deny and the turn fails). Decided once; expired
 * when nobody decides before {@code expiresAt}, and then the turn takes the path {@code onExpiry}
 * names. {@code definition} and {@code onExpiry} are null for approvals journaled before them;
 * {@code rateLimit} is set for reason {@code rate_limit} only, and left out of the stored and sent
 * form when not (each approval of a step's largest list must still fit Artery's frame).
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
    ToolDefinition definition,
    String onExpiry,
    @JsonInclude(JsonInclude.Include.NON_NULL) RateLimitHit rateLimit)
    implements CborSerializable {

  public static final String POLICY = "policy";
  public static final String IN_DOUBT = "in_doubt";

  /**
   * A model call would start past the session's budget (decision 0039): no tool call, {@code
   * arguments} say which budget, its limit and what was used.
   */
  public static final String BUDGET = "budget";

  /**
   * A call was about to start over its tenant's rate limit of the tool (decision 0046): {@code
   * rateLimit} says the window, the limit and the count. Decided as a policy approval: approve runs
   * the call anyway (counted), deny refuses it.
   */
  public static final String RATE_LIMIT = "rate_limit";

  /** Whether the approval asks whether a call may run (policy or rate limit): approve or deny. */
  public boolean asksToRun() {
    return POLICY.equals(reason) || RATE_LIMIT.equals(reason);
  }

  public static final String PENDING = "pending";

  /** What an expiry does: {@code deny} the call (the turn goes on) or {@code fail} the turn. */
  public static final String ON_EXPIRY_DENY = "deny";

  public static final String ON_EXPIRY_FAIL = "fail";

  /**
   * The path the turn takes when nobody decides in time (decision 0036): {@code fail} ends the turn
   * failed ({@code approval_expired}; {@code budget_exhausted} for a budget, always this path);
   * {@code deny}, also for approvals journaled before this was stated, refuses the call (an
   * in-doubt one is failed) and the turn goes on.
   */
  public String expiryPath() {
    if (BUDGET.equals(reason)) {
      return ON_EXPIRY_FAIL; // nothing to deny: the turn cannot go on without a raise
    }
    return ON_EXPIRY_FAIL.equals(onExpiry) ? ON_EXPIRY_FAIL : ON_EXPIRY_DENY;
  }

  public static final String EXPIRED = "expired";

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
        definition,
        null,
        rateLimit);
  }
}
