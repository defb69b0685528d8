package io.agentruntime.runtime.tools;

/**
 * A credential resolved for one call, sent as {@code Authorization: Bearer}. Lives only as long as
 * the call: never journaled, and its {@code toString} leaves the token out, so no log line can hold
 * it by accident.
 */
public record Bearer(String token) {

  @Override
  public String toString() {
    return "Bearer[redacted]";
  }
}
