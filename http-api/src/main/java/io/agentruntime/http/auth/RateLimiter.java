package io.agentruntime.http.auth;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per API key: {@code perSecond} tokens a second, at most {@code burst} saved up. A
 * rate of zero turns the limit off.
 */
public final class RateLimiter {

  private record Bucket(double tokens, long refilledAtNanos) {}

  private final double perSecond;
  private final int burst;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(double perSecond, int burst, LongSupplier nanoClock) {
    this.perSecond = perSecond;
    this.burst = Math.max(1, burst);
    this.nanoClock = nanoClock;
  }

  public RateLimiter(double perSecond, int burst) {
    this(perSecond, burst, System::nanoTime);
  }

  /** Takes a token for {@code keyId}: 0 when the request may go, else the seconds to wait. */
  public long acquire(String keyId) {
    if (perSecond <= 0) {
      return 0;
    }
    long now = nanoClock.getAsLong();
    double[] tokensBefore = new double[1];
    buckets.compute(
        keyId,
        (k, b) -> {
          double tokens =
              b == null
                  ? burst
                  : Math.min(burst, b.tokens() + (now - b.refilledAtNanos()) / 1e9 * perSecond);
          tokensBefore[0] = tokens;
          return new Bucket(tokens >= 1 ? tokens - 1 : tokens, now);
        });
    if (tokensBefore[0] >= 1) {
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - tokensBefore[0]) / perSecond));
  }
}
