package io.agentruntime.runtime.directory;

import java.time.Instant;

/**
 * What a listing shows of one session. {@code status} is the API's lower-case status name. {@code
 * usage} is what the session had spent as of {@code updatedAt}; null when the line was written
 * before the directory kept usage (migration V005) and not since.
 */
public record SessionSummary(
    String tenant,
    String sessionId,
    String user,
    String status,
    Instant createdAt,
    Instant updatedAt,
    ListedUsage usage) {

  /** A line whose usage is not known. */
  public SessionSummary(
      String tenant,
      String sessionId,
      String user,
      String status,
      Instant createdAt,
      Instant updatedAt) {
    this(tenant, sessionId, user, status, createdAt, updatedAt, null);
  }
}
