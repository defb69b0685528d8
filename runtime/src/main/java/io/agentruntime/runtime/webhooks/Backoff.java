package io.agentruntime.runtime.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a failed delivery is tried again (pure): {@code first} after the first failure, doubling up
 * to {@code max}, as long as the next try falls within {@code giveUpAfter} of the round's first
 * try; past it, never (given up).
 */
public record Backoff(Duration first, Duration max, Duration giveUpAfter) {

  /** The wait after the {@code failures}-th failed try (1 for the first). */
  public Duration delay(int failures) {
    Duration d = first;
    for (int i = 1; i < failures && d.compareTo(max) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(max) > 0 ? max : d;
  }

  /**
   * When to try again after {@code failures} failed tries of a round that began at {@code since},
   * the last failing at {@code now}; empty when that would be past the give-up time.
   */
  public Optional<Instant> next(int failures, Instant since, Instant now) {
    Instant at = now.plus(delay(failures));
    return at.isAfter(since.plus(giveUpAfter)) ? Optional.empty() : Optional.of(at);
  }
}
