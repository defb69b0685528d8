package io.agentruntime.runtime.session;

/**
 * Why a command was refused. {@code field} names the offending input, or is null. The edge maps the
 * kind to a status code; the code is stable for clients.
 */
public record Problem(Kind kind, String code, String message, String field) {

  public enum Kind {
    NOT_FOUND,
    CONFLICT,
    INVALID,
    TOO_LARGE,
    /** The caller lacks a role the command needs. */
    FORBIDDEN,
    /** A budget of the session is spent. */
    LIMIT,
    /** The store did not do what was asked; retry later. */
    UNAVAILABLE,
    /**
     * What was asked is journaled, but the work that follows it failed (an erase whose deletion
     * failed); asking again finishes it.
     */
    INCOMPLETE
  }

  public static Problem notFound() {
    return new Problem(Kind.NOT_FOUND, "session_not_found", "session not found", null);
  }

  public static Problem conflict(String code, String message) {
    return new Problem(Kind.CONFLICT, code, message, null);
  }

  public static Problem invalid(String field, String message) {
    return new Problem(Kind.INVALID, "invalid_field", message, field);
  }

  public static Problem tooLarge(String field, String message) {
    return new Problem(Kind.TOO_LARGE, "too_large", message, field);
  }
}
