package io.agentruntime.runtime.session;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where one turn stands, as the API names it. */
public enum TurnStatus {
  QUEUED,
  RUNNING,
  AWAITING_APPROVAL,
  /** Waiting for the client to submit the results of function calls it runs (decision 0023). */
  WAITING,
  COMPLETED,
  FAILED,
  CANCELLED;

  public boolean terminal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
