package io.agentruntime.runtime.ratelimits;

import io.agentruntime.runtime.CborSerializable;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The calls of one tenant's tool that still count in some window: when each started, by call key.
 * Older calls are dropped as later ones are counted, so it holds at most a day of calls.
 */
public record ToolCallCounts(Map<String, Instant> started) implements CborSerializable {

  public static final ToolCallCounts EMPTY = new ToolCallCounts(Map.of());

  public ToolCallCounts {
    started = started == null ? Map.of() : Map.copyOf(started);
  }

  /** The counts once {@code e} is counted, without the calls that no longer count by then. */
  ToolCallCounts plus(ToolCallCounted e) {
    Map<String, Instant> next = new LinkedHashMap<>();
    started.forEach(
        (key, at) -> {
          if (RateWindows.counts(at, e.at())) {
            next.put(key, at);
          }
        });
    next.put(e.key(), e.at());
    return new ToolCallCounts(next);
  }
}
