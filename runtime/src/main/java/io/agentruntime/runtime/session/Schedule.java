package io.agentruntime.runtime.session;

import io.agentruntime.runtime.CborSerializable;
import java.time.Instant;

/**
 * One schedule of a session: {@code message} becomes a user message (source {@code schedule}) at
 * {@code nextRunAt}. A one-shot ({@code cron} null) is removed once it fired; a cron schedule moves
 * on to its next time in {@code timezone}. {@code by} is whom it was set by: the message is sent as
 * them. {@code missed} says what a time passed during downtime becomes (decision 0037).
 */
public record Schedule(
    String id,
    String message,
    String cron,
    String timezone,
    Missed missed,
    Instant nextRunAt,
    Caller by,
    Instant createdAt)
    implements CborSerializable {

  /** What a run missed during downtime becomes. */
  public enum Missed {
    /** One catch-up run, then the next future time. */
    RUN_ONCE,
    /** Straight to the next future time. */
    SKIP;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public boolean oneShot() {
    return cron == null;
  }

  Schedule withNextRunAt(Instant next) {
    return new Schedule(id, message, cron, timezone, missed, next, by, createdAt);
  }

  /**
   * The id of the firing due at {@code dueAt}: the turn it opens is named by it, so the session
   * journals it, and a firing delivered again finds its turn and opens none.
   */
  public static String firingId(String scheduleId, Instant dueAt) {
    return "turn_" + scheduleId + "_" + dueAt.toEpochMilli();
  }

  public static String newId() {
    return Ids.newId("sched_");
  }
}
