package io.agentruntime.http.json;

import io.agentruntime.http.json.SessionBody.OwnerBody;
import io.agentruntime.http.json.SessionBody.TurnRef;
import io.agentruntime.http.json.SessionBody.UsageBody;
import io.agentruntime.runtime.session.SessionSummary;

/**
 * A session in summary, as create, close and the operator controls answer it: {@code GET
 * /v1/sessions/{id}}'s shape without what the session holds (agent, memory, tools, permissions,
 * metadata), so that the answer stays small whatever the session holds (decision 0033).
 */
public record SessionSummaryBody(
    String id,
    String status,
    OwnerBody owner,
    String createdAt,
    String updatedAt,
    long lastSeq,
    TurnRef currentTurn,
    long queuedMessages,
    int pendingApprovals,
    UsageBody usage) {

  public static SessionSummaryBody of(SessionSummary s) {
    return new SessionSummaryBody(
        s.id(),
        s.status().wireName(),
        OwnerBody.of(s.owner()),
        SessionBody.time(s.createdAt()),
        SessionBody.time(s.updatedAt()),
        s.lastSeq(),
        s.currentTurnId() == null
            ? null
            : new TurnRef(s.currentTurnId(), s.currentTurnStatus().wireName()),
        s.queuedMessages(),
        s.pendingApprovals(),
        SessionBody.UsageBody.of(s.usage()));
  }
}
