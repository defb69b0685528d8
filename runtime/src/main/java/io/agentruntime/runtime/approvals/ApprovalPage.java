package io.agentruntime.runtime.approvals;

import java.util.List;
import java.util.Optional;

/** One page of a tenant's pending approvals; {@code nextCursor} is empty on the last page. */
public record ApprovalPage(List<PendingApproval> rows, Optional<String> nextCursor) {
  public ApprovalPage {
    rows = List.copyOf(rows);
  }
}
