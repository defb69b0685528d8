package io.agentruntime.runtime.session;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The rules of schedules, pure: what a request may set (every refusal names its field), when a
 * schedule runs next, and what a time that came while nobody fired it becomes (decision 0037).
 */
public final class ScheduleRules {

  private static final CronParser UNIX_CRON =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final ScheduleSettings settings;
  private final int maxMessageChars;

  public ScheduleRules(ScheduleSettings settings, int maxMessageChars) {
    this.settings = settings;
    this.maxMessageChars = maxMessageChars;
  }

  /** What a client or the model asked for, as it came: exactly one of at, in and cron. */
  public record Request(
      String message, String at, String in, String cron, String timezone, String missed) {}

  /** A new schedule, or why not. */
  public record Created(Schedule schedule, Problem refusal) {
    static Created refused(String field, String message) {
      return new Created(null, Problem.invalid(field, message));
    }
  }

  /**
   * The schedule {@code r} sets, as {@code id} by {@code by} at {@code now}, on a session that has
   * {@code existing} schedules already.
   */
  public Created create(Request r, String id, Caller by, Instant now, int existing) {
    if (r.message() == null || r.message().isBlank()) {
      return Created.refused("message", "message must be a non-empty string");
    } else if (r.message().length() > maxMessageChars) {
      return Created.refused(
          "message", "message must be at most " + maxMessageChars + " characters");
    }
    int kinds = (r.at() != null ? 1 : 0) + (r.in() != null ? 1 : 0) + (r.cron() != null ? 1 : 0);
    if (kinds != 1) {
      return Created.refused(
          kinds == 0 ? "at" : r.at() != null && r.in() != null ? "in" : "cron",
          "exactly one of at, in and cron must be given");
    }
    if (r.cron() == null && r.timezone() != null) {
      return Created.refused("timezone", "timezone applies to cron schedules only");
    }
    Optional<Schedule.Missed> missed = missed(r.missed());
    if (missed.isEmpty()) {
      return Created.refused("missed", "missed must be run_once or skip");
    }
    if (existing >= settings.maxPerSession()) {
      return new Created(
          null,
          new Problem(
              Problem.Kind.INVALID,
              "too_many_schedules",
              "a session holds at most " + settings.maxPerSession() + " schedules",
              "schedule"));
    }
    if (r.at() != null) {
      Instant at;
      try {
        at = Instant.parse(r.at());
      } catch (DateTimeParseException e) {
        try {
          at = java.time.OffsetDateTime.parse(r.at()).toInstant();
        } catch (DateTimeParseException e2) {
          return Created.refused("at", "at must be an ISO-8601 instant, e.g. 2026-01-31T09:00:00Z");
        }
      }
      if (!at.isAfter(now)) {
        return Created.refused("at", "at must be in the future");
      }
      return made(id, r, null, null, missed.get(), at, by, now);
    } else if (r.in() != null) {
      Duration in;
      try {
        in = Duration.parse(r.in());
      } catch (DateTimeParseException e) {
        return Created.refused("in", "in must be an ISO-8601 duration, e.g. PT10M");
      }
      if (in.isNegative() || in.isZero()) {
        return Created.refused("in", "in must be a positive duration");
      } else if (in.compareTo(settings.longestDelay()) > 0) {
        return Created.refused("in", "in must be at most " + settings.longestDelay());
      }
      return made(id, r, null, null, missed.get(), now.plus(in), by, now);
    }
    String timezone = r.timezone() == null ? "UTC" : r.timezone();
    ZoneId zone;
    try {
      zone = ZoneId.of(timezone);
    } catch (DateTimeException e) {
      return Created.refused("timezone", "timezone must be an IANA zone id, e.g. Europe/Paris");
    }
    Optional<ExecutionTime> times = cron(r.cron());
    if (times.isEmpty()) {
      return Created.refused(
          "cron",
          "cron must have 5 fields (minute hour day-of-month month day-of-week), e.g. 0 9 * * MON-FRI");
    }
    Optional<Instant> first = next(times.get(), zone, now);
    if (first.isEmpty()) {
      return Created.refused("cron", "cron never runs");
    }
    return made(id, r, r.cron().trim(), zone.getId(), missed.get(), first.get(), by, now);
  }

  private static Created made(
      String id,
      Request r,
      String cron,
      String zone,
      Schedule.Missed missed,
      Instant next,
      Caller by,
      Instant now) {
    return new Created(new Schedule(id, r.message(), cron, zone, missed, next, by, now), null);
  }

  static Optional<Schedule.Missed> missed(String wire) {
    if (wire == null) {
      return Optional.of(Schedule.Missed.RUN_ONCE);
    }
    for (Schedule.Missed m : Schedule.Missed.values()) {
      if (m.wire().equals(wire)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** The times of a 5-field cron expression; empty when it is not one. */
  static Optional<ExecutionTime> cron(String expression) {
    if (expression == null || expression.trim().split("\\s+").length != 5) {
      return Optional.empty(); // seconds (6 fields) or years (7) are not ours
    }
    try {
      Cron cron = UNIX_CRON.parse(expression.trim()).validate();
      return Optional.of(ExecutionTime.forCron(cron));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Optional<Instant> next(ExecutionTime times, ZoneId zone, Instant after) {
    return times.nextExecution(after.atZone(zone)).map(t -> t.toInstant());
  }

  /** The first time of cron schedule {@code s} after {@code after}. */
  static Optional<Instant> nextAfter(Schedule s, Instant after) {
    return cron(s.cron()).flatMap(times -> next(times, ZoneId.of(s.timezone()), after));
  }

  /**
   * What a due schedule does now: fire at {@code fireDueAt} (null: nothing fires), then run next at
   * {@code next} (null: the schedule is done and removed).
   */
  public record Due(Instant fireDueAt, Instant next) {}

  /**
   * What schedule {@code s} does at {@code now}; empty while it is not due. On time (late by at
   * most the missed-after setting) its time fires. Later than that the run was missed: {@code
   * run_once} fires it once, late, and {@code skip} does not; either way a cron schedule goes on at
   * its first time after now, so downtime that spanned many times fires at most one of them.
   */
  public Optional<Due> due(Schedule s, Instant now) {
    Instant at = s.nextRunAt();
    if (at.isAfter(now)) {
      return Optional.empty();
    }
    boolean missed = Duration.between(at, now).compareTo(settings.missedAfter()) > 0;
    Instant fire = missed && s.missed() == Schedule.Missed.SKIP ? null : at;
    Instant next = s.oneShot() ? null : nextAfter(s, now).orElse(null);
    return Optional.of(new Due(fire, next));
  }

  /**
   * When the session of {@code s} is woken before its next run (decision 0048), or null (the
   * wake-ahead setting is zero): in the earlier half of the wake-ahead before the run, at a point
   * the firing id fixes, so that many runs due at one instant wake their sessions over that half
   * rather than all at once, and the latest wake still leaves half the wake-ahead for recovery.
   */
  public Instant wakeAt(Schedule s) {
    long ahead = settings.wakeAhead().toMillis();
    if (ahead <= 0) {
      return null;
    }
    long spread = ahead / 2;
    long offset =
        spread == 0
            ? 0
            : Math.floorMod(Schedule.firingId(s.id(), s.nextRunAt()).hashCode(), spread);
    return s.nextRunAt().minusMillis(ahead - offset);
  }
}
