package io.agentruntime.runtime.session;

import io.agentruntime.runtime.metrics.SessionMetrics;
import java.util.List;

/**
 * One session entity's link to the node's metrics: turns journaled events into counts and keeps the
 * entity's share of the pending-approvals gauge, so that the gauge falls back when the entity
 * stops. Used only from the entity's own thread.
 */
final class EntityMetrics {

  private final SessionMetrics metrics;
  private final String tenant;
  private int reportedApprovals;
  private boolean alive;

  EntityMetrics(SessionMetrics metrics, String tenant) {
    this.metrics = metrics;
    this.tenant = tenant;
  }

  void started() {
    if (!alive) {
      alive = true;
      metrics.activeSessions(1);
    }
  }

  void stopped() {
    if (alive) {
      alive = false;
      metrics.activeSessions(-1);
      approvals(0);
    }
  }

  /** Events were journaled (never called on replay); {@code pendingApprovals} counts after them. */
  void journaled(List<SessionEvent> events, long startedNanos, int pendingApprovals) {
    metrics.journalWritten(System.nanoTime() - startedNanos);
    for (SessionEvent event : events) {
      String turnOutcome = turnOutcome(event);
      if (turnOutcome != null) {
        metrics.turnEnded(turnOutcome);
      }
      String callOutcome = callOutcome(event);
      if (callOutcome != null) {
        metrics.toolCallEnded(callOutcome);
      }
      if (event instanceof SessionEvent.AssistantReplied replied) {
        metrics.modelTokens(tenant, replied.inputTokens(), replied.outputTokens());
        if (replied.costUsd() != null) {
          metrics.modelCost(tenant, replied.costUsd());
        }
      }
    }
    approvals(pendingApprovals);
  }

  /** The entity recovered (or its pending approvals changed without a write of its own). */
  void approvals(int pending) {
    if (pending != reportedApprovals) {
      metrics.pendingApprovals(pending - reportedApprovals);
      reportedApprovals = pending;
    }
  }

  private static String turnOutcome(SessionEvent event) {
    return event instanceof SessionEvent.TurnEnded ended ? ended.outcome() : null;
  }

  private static String callOutcome(SessionEvent event) {
    if (event instanceof SessionEvent.ToolCallEnded ended) {
      return ended.outcome();
    }
    return event instanceof SessionEvent.ToolCallInDoubt ? "in_doubt" : null;
  }
}
