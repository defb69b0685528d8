package io.agentruntime.runtime.session;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a session stands, as the API names it. */
public enum SessionStatus {
  IDLE,
  RUNNING,
  AWAITING_APPROVAL,
  /** The running turn waits for the client's results of function calls (decision 0023). */
  AWAITING_CLIENT,
  /** An operator holds it: no new messages, no model or tool calls, until resumed. */
  SUSPENDED,
  CLOSED;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
