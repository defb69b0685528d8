package io.agentruntime.runtime.ratelimits;

import io.agentruntime.runtime.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How many calls of one tool a tenant's sessions may start together ({@code PUT /v1/policy} {@code
 * rateLimits}, decision 0046): at most {@code perMinute}, {@code perHour} and {@code perDay} calls
 * in any sliding minute, hour and day; a null window is no limit. At least one is set (checked at
 * the edge).
 */
public record RateLimit(Integer perMinute, Integer perHour, Integer perDay)
    implements CborSerializable {

  /** One window of the limit: at most {@code limit} calls in any {@code length}. */
  public record Window(String name, Duration length, int limit) {}

  /** The longest window any limit counts over: older calls count for nothing. */
  public static final Duration LONGEST = Duration.ofDays(1);

  /** The windows this limit sets, shortest first. */
  public List<Window> windows() {
    List<Window> windows = new ArrayList<>(3);
    if (perMinute != null) {
      windows.add(new Window("minute", Duration.ofMinutes(1), perMinute));
    }
    if (perHour != null) {
      windows.add(new Window("hour", Duration.ofHours(1), perHour));
    }
    if (perDay != null) {
      windows.add(new Window("day", Duration.ofDays(1), perDay));
    }
    return windows;
  }
}
