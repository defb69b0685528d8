package io.agentruntime.runtime.session;

import io.agentruntime.runtime.CborSerializable;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The schedules of one session, in the order they were set: the state of its {@link
 * ScheduleEntity}. Folding an event is pure.
 */
public record ScheduleBook(Map<String, Schedule> schedules) implements CborSerializable {

  public ScheduleBook {
    schedules = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(schedules));
  }

  public static ScheduleBook empty() {
    return new ScheduleBook(Map.of());
  }

  /** The events of a session's schedules (their class names are manifests). */
  public sealed interface Event extends CborSerializable {}

  /** Schedule {@code schedule} was set. */
  public record ScheduleAdded(Schedule schedule) implements Event {}

  /** Schedule {@code scheduleId} was removed ({@code reason}: deleted, or its session is gone). */
  public record ScheduleRemoved(String scheduleId, String reason) implements Event {}

  /**
   * Schedule {@code scheduleId}'s run due at {@code dueAt} is over: {@code fired} when the session
   * took its message (the turn named by the firing id), not when it was missed and skipped or
   * refused. It runs next at {@code next}; null: it is done and removed.
   */
  public record ScheduleRan(String scheduleId, Instant dueAt, boolean fired, Instant next)
      implements Event {}

  public List<Schedule> list() {
    return List.copyOf(schedules.values());
  }

  public Optional<Schedule> get(String id) {
    return Optional.ofNullable(schedules.get(id));
  }

  public boolean isEmpty() {
    return schedules.isEmpty();
  }

  /** The earliest next run, if any. */
  public Optional<Instant> earliest() {
    return schedules.values().stream().map(Schedule::nextRunAt).min(Comparator.naturalOrder());
  }

  public ScheduleBook apply(Event event) {
    Map<String, Schedule> next = new LinkedHashMap<>(schedules);
    if (event instanceof ScheduleAdded e) {
      next.put(e.schedule().id(), e.schedule());
    } else if (event instanceof ScheduleRemoved e) {
      next.remove(e.scheduleId());
    } else if (event instanceof ScheduleRan e) {
      Schedule s = next.get(e.scheduleId());
      if (s != null && e.next() == null) {
        next.remove(e.scheduleId());
      } else if (s != null) {
        next.put(e.scheduleId(), s.withNextRunAt(e.next()));
      }
    }
    return new ScheduleBook(next);
  }
}
