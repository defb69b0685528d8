package io.agentruntime.runtime.session;

import java.time.Instant;

/**
 * One turn of the session: started by a user message, ended by the model's answer, a failure or a
 * cancellation. {@code output} and {@code error} are null until the turn ends that way.
 */
public record Turn(
    String id,
    TurnStatus status,
    int steps,
    String output,
    TurnError error,
    Instant acceptedAt,
    Instant updatedAt) {

  static Turn queued(String id, Instant at) {
    return new Turn(id, TurnStatus.QUEUED, 0, null, null, at, at);
  }

  Turn cancelled(TurnError why, Instant at) {
    return new Turn(id, TurnStatus.CANCELLED, steps, output, why, acceptedAt, at);
  }
}
