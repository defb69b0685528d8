package io.agentruntime.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;

/**
 * Why one HTTP attempt of a model call failed, and whether another attempt may help. Messages hold
 * a status and a short excerpt of what the provider said, with the API key blanked out should the
 * provider echo it.
 */
final class AttemptFailure extends RuntimeException {

  private static final int EXCERPT_CHARS = 200;

  private final boolean retryable;
  private final Duration retryAfter;

  private AttemptFailure(String message, boolean retryable, Duration retryAfter, Throwable cause) {
    super(message, cause, false, false);
    this.retryable = retryable;
    this.retryAfter = retryAfter;
  }

  /** A non-2xx answer: 408, 429 and 5xx are worth another attempt, other statuses are not. */
  static AttemptFailure status(int status, String excerpt, Duration retryAfter) {
    boolean retryable = status == 408 || status == 429 || status >= 500;
    String message = "HTTP " + status + (excerpt.isEmpty() ? "" : ": " + excerpt);
    return new AttemptFailure(message, retryable, retryAfter, null);
  }

  static AttemptFailure connection(Throwable cause) {
    String detail = cause.getMessage() == null ? "" : ": " + cause.getMessage();
    return new AttemptFailure(
        "connection failed (" + cause.getClass().getSimpleName() + detail + ")", true, null, cause);
  }

  /** The provider reported an error inside a stream it had started: usually a transient one. */
  static AttemptFailure streamError(String excerpt) {
    return new AttemptFailure("error in the stream: " + excerpt, true, null, null);
  }

  static AttemptFailure cutShort() {
    return new AttemptFailure("the stream ended before the reply was complete", true, null, null);
  }

  /** The reply ran past the limit: another attempt would most likely do the same. */
  static AttemptFailure tooLarge(long limit) {
    return new AttemptFailure(
        "the reply is larger than the limit of " + limit + " bytes (max-reply-size)",
        false,
        null,
        null);
  }

  static AttemptFailure unreadable(String what) {
    return new AttemptFailure("unreadable response: " + what, false, null, null);
  }

  boolean retryable() {
    return retryable;
  }

  /** The wait the provider asked for, or null. */
  Duration retryAfter() {
    return retryAfter;
  }

  /**
   * A short, single-line excerpt of an error body: the {@code error.message} of a JSON error when
   * there is one, else the text itself.
   */
  static String excerpt(ObjectMapper mapper, String body, String secret) {
    String text = body == null ? "" : body;
    try {
      JsonNode error = mapper.readTree(text).path("error");
      String message = error.isTextual() ? error.asText() : error.path("message").asText("");
      if (!message.isEmpty()) {
        text = message;
      }
    } catch (Exception notJson) {
      // plain text or HTML: the excerpt is the text itself
    }
    if (secret != null && !secret.isEmpty()) {
      text = text.replace(secret, "***");
    }
    text = text.replaceAll("\\s+", " ").strip();
    return text.length() <= EXCERPT_CHARS ? text : text.substring(0, EXCERPT_CHARS) + "...";
  }
}
