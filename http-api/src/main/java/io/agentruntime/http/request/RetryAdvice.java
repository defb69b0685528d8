package io.agentruntime.http.request;

import java.util.Optional;

/**
 * Whether a client may send a failed request again as it was, told in {@code x-should-retry}, which
 * the official OpenAI SDKs obey over their own rule (they retry 408, 409, 429 and 5xx, twice by
 * default, resending the same headers). A write that may have landed ({@code 504 outcome_unknown},
 * or a 500) and carries no {@code Idempotency-Key} must not be sent again as it was: creating an
 * agent or a session would make a second one. With a key, a repeat is answered with the first
 * outcome, so the SDK's own rule stands; so it does for reads and for a 503, which accepted
 * nothing.
 */
public final class RetryAdvice {

  public static final String HEADER = "x-should-retry";

  private RetryAdvice() {}

  /** {@code x-should-retry}'s value for this answer, or empty to leave the client's rule. */
  public static Optional<Boolean> of(boolean safeMethod, boolean hasIdempotencyKey, int status) {
    boolean mayHaveLanded = status == 504 || status == 500;
    if (mayHaveLanded && !safeMethod && !hasIdempotencyKey) {
      return Optional.of(false);
    }
    return Optional.empty();
  }
}
