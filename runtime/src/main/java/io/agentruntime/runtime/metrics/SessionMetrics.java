package io.agentruntime.runtime.metrics;

/**
 * What the session entities tell the node's metrics. Called from inside actors: an implementation
 * must be cheap and never block (counters and gauges only). Outcomes are stable lower-case names.
 */
public interface SessionMetrics {

  /** Records nothing: for tests and tools that run entities without a node. */
  SessionMetrics NONE = new SessionMetrics() {};

  /** A session entity started on this node ({@code +1}) or stopped ({@code -1}). */
  default void activeSessions(int delta) {}

  /** Approvals waiting for a human on the sessions alive on this node changed by {@code delta}. */
  default void pendingApprovals(int delta) {}

  /** A turn ended: completed, failed or cancelled. */
  default void turnEnded(String outcome) {}

  /** A tool call got its outcome: succeeded, failed, rejected, cancelled or in_doubt. */
  default void toolCallEnded(String outcome) {}

  /** A call to a tool's server came back, succeeded or failed, after {@code nanos}. */
  default void toolCallReturned(String outcome, long nanos) {}

  /** A call to a model came back, succeeded or failed, after {@code nanos}. */
  default void modelCallReturned(String outcome, long nanos) {}

  /** A batch of events was journaled {@code nanos} after the entity asked for the write. */
  default void journalWritten(long nanos) {}

  /**
   * A model call of a session of {@code tenant} was journaled with the tokens its provider counted
   * (decision 0039): per tenant, the only label, so that the series stay as few as the tenants.
   */
  default void modelTokens(String tenant, long inputTokens, long outputTokens) {}

  /**
   * A model call of a session of {@code tenant} was journaled with what it cost in USD at its
   * provider's prices (decision 0045; unpriced replies are not reported): per tenant only.
   */
  default void modelCost(String tenant, java.math.BigDecimal costUsd) {}
}
