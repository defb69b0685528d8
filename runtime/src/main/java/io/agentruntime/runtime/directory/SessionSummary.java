package io.agentruntime.runtime.directory;

import java.time.Instant;

/** What a listing shows of one session. {@code status} is the API's lower-case status name. */
public record SessionSummary(
    String tenant,
    String sessionId,
    String user,
    String status,
    Instant createdAt,
    Instant updatedAt) {}
