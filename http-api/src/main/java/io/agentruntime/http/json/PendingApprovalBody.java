package io.agentruntime.http.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.approvals.ApprovalPage;
import io.agentruntime.runtime.approvals.PendingApproval;
import io.agentruntime.runtime.session.Approval;
import io.agentruntime.runtime.session.OwnEventNotices;
import java.util.List;

/**
 * A pending approval as {@code GET /v1/approvals} lists it: where it waits ({@code sessionId}),
 * what it asks, until when ({@code expiresAt}), what happens then ({@code onExpiry}: deny or fail)
 * and where to decide it ({@code decisionUrl}); for reason {@code rate_limit}, {@code rateLimit}
 * says the tool, the window, its limit and the count (decision 0046), or with {@code unread} what
 * could not be read to check it.
 */
public record PendingApprovalBody(
    String id,
    String sessionId,
    String turnId,
    String toolCallId,
    String tool,
    JsonNode arguments,
    String reason,
    String requestedAt,
    String expiresAt,
    String onExpiry,
    String decisionUrl,
    @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode rateLimit) {

  /** The path where an approval is decided. */
  public static String decisionPath(String sessionId, String approvalId) {
    return "/v1/sessions/" + sessionId + "/approvals/" + approvalId;
  }

  public static PendingApprovalBody of(PendingApproval row) {
    Approval a = row.approval();
    return new PendingApprovalBody(
        a.id(),
        row.sessionId(),
        a.turnId(),
        a.toolCallId(),
        a.tool(),
        a.arguments(),
        a.reason(),
        SessionBody.time(a.requestedAt()),
        SessionBody.time(a.expiresAt()),
        a.expiryPath(),
        decisionPath(row.sessionId(), a.id()),
        a.rateLimit() == null ? null : OwnEventNotices.rateLimit(a.tool(), a.rateLimit()));
  }

  /** One page: {@code nextCursor} is null on the last. */
  public record Page(List<PendingApprovalBody> data, String nextCursor) {
    public static Page of(ApprovalPage page) {
      return new Page(
          page.rows().stream().map(PendingApprovalBody::of).toList(),
          page.nextCursor().orElse(null));
    }
  }
}
