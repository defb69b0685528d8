package io.agentruntime.http.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.session.Approval;
import io.agentruntime.runtime.session.OwnEventNotices;
import io.agentruntime.runtime.session.ToolDefinition;

/**
 * An approval as the approvals endpoints show it. {@code status} is pending, decided, expired,
 * withdrawn (its turn ended first, or its tool changed while it waited) or answered (an in-doubt
 * call whose tool answered late: the real outcome settled the question); {@code decision} (approve,
 * deny, retry, fail or result) and {@code decidedBy} are set once a human decided. {@code onExpiry}
 * is what an expiry does (deny or fail, decision 0036). {@code connection} is where the call goes
 * if approved (kind, url, secretRef, idempotent; absent for built-in tools and older approvals): a
 * change of the tool withdraws the approval and asks again. {@code rateLimit} (reason {@code
 * rate_limit} only, decision 0046): the tool, the window, its limit and the count of calls in it;
 * with {@code unread}, what could not be read to check the limit.
 */
public record ApprovalBody(
    String id,
    String turnId,
    String toolCallId,
    String tool,
    JsonNode arguments,
    String reason,
    String requestedAt,
    String expiresAt,
    String status,
    String decision,
    String decidedBy,
    ConnectionBody connection,
    String onExpiry,
    @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode rateLimit) {

  /** Where an approved call goes; the secret's name, never the secret. */
  public record ConnectionBody(String kind, String url, String secretRef, boolean idempotent) {
    static ConnectionBody of(ToolDefinition d) {
      return d == null
          ? null
          : new ConnectionBody(d.kind(), d.url(), d.secretRef(), d.idempotent());
    }
  }

  private record Outcome(String status, String decision) {}

  public static ApprovalBody of(Approval a) {
    Outcome outcome = outcome(a.status());
    return new ApprovalBody(
        a.id(),
        a.turnId(),
        a.toolCallId(),
        a.tool(),
        a.arguments(),
        a.reason(),
        SessionBody.time(a.requestedAt()),
        SessionBody.time(a.expiresAt()),
        outcome.status(),
        outcome.decision(),
        a.decidedBy(),
        ConnectionBody.of(a.definition()),
        a.expiryPath(),
        a.rateLimit() == null ? null : OwnEventNotices.rateLimit(a.tool(), a.rateLimit()));
  }

  /**
   * The session's own status names (granted, resolved:retry ...) as the API's status and decision.
   */
  private static Outcome outcome(String status) {
    if (status == null) {
      return new Outcome(Approval.PENDING, null);
    }
    return switch (status) {
      case "granted" -> new Outcome("decided", "approve");
      case "denied" -> new Outcome("decided", "deny");
      case "resolved:retry" -> new Outcome("decided", "retry");
      case "resolved:fail" -> new Outcome("decided", "fail");
      case "resolved:result" -> new Outcome("decided", "result");
      case "resolved:answered" -> new Outcome("answered", null);
      default -> new Outcome(status, null);
    };
  }
}
