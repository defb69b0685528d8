package io.agentruntime.runtime.ratelimits;

import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * The rule of decision 0046, pure: a call may start if, in each window of its tool's limit, fewer
 * calls than the limit started within that window before now (a sliding window: a call counts until
 * exactly one window after it started).
 */
public final class RateWindows {

  private RateWindows() {}

  /** The first window {@code started} fills (shortest first), or empty: the call may start. */
  public static Optional<RateLimitHit> over(
      RateLimit limit, Collection<Instant> started, Instant now) {
    for (RateLimit.Window w : limit.windows()) {
      Instant since = now.minus(w.length());
      int count = (int) started.stream().filter(at -> at.isAfter(since)).count();
      if (count >= w.limit()) {
        return Optional.of(RateLimitHit.over(w.name(), w.limit(), count));
      }
    }
    return Optional.empty();
  }

  /** Whether a call started at {@code at} still counts in some window at {@code now}. */
  public static boolean counts(Instant at, Instant now) {
    return at.isAfter(now.minus(RateLimit.LONGEST));
  }
}
