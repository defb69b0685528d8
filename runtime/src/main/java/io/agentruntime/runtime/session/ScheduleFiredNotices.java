package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.runtime.session.ScheduleBook.ScheduleRan;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The {@code schedule.fired} webhook events of one session's schedules (decision 0036): one per
 * firing, its id a digest of the session and the firing's turn, so that offered again it is the
 * same event. The schedules' entity announces a firing once it journaled the run, and a recovery
 * offers again the newest {@code cap} firings it replays, in case a crash cut the hand-off off
 * (decision 0027's addendum); the outbox keeps each id once.
 */
final class ScheduleFiredNotices {

  private final String entityId;
  private final int cap;
  private final ArrayDeque<ScheduleRan> replayed = new ArrayDeque<>();

  ScheduleFiredNotices(String entityId, int cap) {
    this.entityId = entityId;
    this.cap = Math.max(0, cap);
  }

  /** The event of the run of {@code scheduleId} due at {@code dueAt}, made at {@code at}. */
  static LifecycleNotice notice(String entityId, String scheduleId, Instant dueAt, Instant at) {
    String sessionId = entityId.substring(entityId.indexOf(':') + 1);
    String turnId = Schedule.firingId(scheduleId, dueAt);
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("sessionId", sessionId);
    data.put("scheduleId", scheduleId);
    data.put("dueAt", dueAt.toString());
    data.put("turnId", turnId);
    return new LifecycleNotice(
        LifecycleNotices.eventId(
            entityId, new LifecycleNotices.Mark(LifecycleNotice.SCHEDULE_FIRED, turnId)),
        LifecycleNotice.SCHEDULE_FIRED,
        sessionId,
        null,
        at,
        data);
  }

  /** {@code event} was replayed: a run that opened its turn is kept (the newest {@code cap}). */
  void replayed(ScheduleBook.Event event) {
    if (event instanceof ScheduleRan ran && ran.fired() && cap > 0) {
      replayed.addLast(ran);
      if (replayed.size() > cap) {
        replayed.removeFirst();
      }
    }
  }

  /**
   * The firings the replay found, oldest first, each made at its due time (the journal keeps no
   * other); the replay starts afresh after.
   */
  List<LifecycleNotice> recovered() {
    List<LifecycleNotice> notices =
        replayed.stream().map(r -> notice(entityId, r.scheduleId(), r.dueAt(), r.dueAt())).toList();
    replayed.clear();
    return notices;
  }
}
