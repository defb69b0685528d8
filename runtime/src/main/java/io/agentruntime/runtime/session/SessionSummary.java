package io.agentruntime.runtime.session;

import io.agentruntime.runtime.CborSerializable;
import java.time.Instant;

/**
 * A session in a few hundred bytes: where it stands, without what it holds (instructions, memory,
 * tools, policy, metadata). What a write answers, so that the answer stays small whatever the
 * session holds (decision 0033). {@code currentTurnId} and {@code currentTurnStatus} are null when
 * no turn is running or queued.
 */
public record SessionSummary(
    String id,
    Owner owner,
    SessionStatus status,
    Instant createdAt,
    Instant updatedAt,
    long lastSeq,
    String currentTurnId,
    TurnStatus currentTurnStatus,
    long queuedMessages,
    int pendingApprovals,
    Usage usage)
    implements CborSerializable {

  static SessionSummary of(String id, SessionState s) {
    Turn current = s.currentTurn().orElse(null);
    return new SessionSummary(
        id,
        s.owner(),
        s.status(),
        s.createdAt(),
        s.updatedAt(),
        s.lastSeq(),
        current == null ? null : current.id(),
        current == null ? null : current.status(),
        s.queuedMessages(),
        s.pendingApprovals().size(),
        s.usage());
  }

  /** The summary of a whole view. */
  public static SessionSummary of(SessionView v) {
    Turn current = v.currentTurn();
    return new SessionSummary(
        v.id(),
        v.owner(),
        v.status(),
        v.createdAt(),
        v.updatedAt(),
        v.lastSeq(),
        current == null ? null : current.id(),
        current == null ? null : current.status(),
        v.queuedMessages(),
        v.pendingApprovals(),
        v.usage());
  }
}
