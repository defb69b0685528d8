package io.agentruntime.runtime.approvals;

import io.agentruntime.runtime.session.Approval;

/** One approval that waits for a decision, with the session it belongs to. */
public record PendingApproval(String sessionId, Approval approval) {}
