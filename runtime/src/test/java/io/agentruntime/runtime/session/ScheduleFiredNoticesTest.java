package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agentruntime.runtime.session.ScheduleBook.ScheduleRan;
import io.agentruntime.runtime.session.ScheduleBook.ScheduleRemoved;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code schedule.fired} events a recovery of a session's schedules offers again: one per run
 * that opened its turn, under the id the live announcement had, the newest {@code cap} only.
 */
class ScheduleFiredNoticesTest {

  private static final String ENTITY = "acme:s1";
  private static final Instant NINE = Instant.parse("2026-12-07T09:00:00Z");
  private static final Instant TEN = Instant.parse("2026-12-07T10:00:00Z");
  private static final Instant ELEVEN = Instant.parse("2026-12-07T11:00:00Z");

  @Test
  void aReplayOffersEachFiringItFoundUnderItsLiveIdAndNoSkippedRun() {
    ScheduleFiredNotices fired = new ScheduleFiredNotices(ENTITY, 10);
    fired.replayed(new ScheduleRan("sch_1", NINE, true, TEN));
    fired.replayed(new ScheduleRan("sch_1", TEN, false, ELEVEN)); // skipped: no turn, no event
    fired.replayed(new ScheduleRan("sch_1", ELEVEN, true, null));
    fired.replayed(new ScheduleRemoved("sch_1", "deleted"));
    List<LifecycleNotice> again = fired.recovered();

    LifecycleNotice live = ScheduleFiredNotices.notice(ENTITY, "sch_1", NINE, NINE.plusMillis(40));
    assertEquals(2, again.size(), again::toString);
    assertEquals(live.eventId(), again.get(0).eventId());
    assertEquals(live.data(), again.get(0).data());
    assertEquals(LifecycleNotice.SCHEDULE_FIRED, again.get(0).type());
    assertEquals("s1", again.get(0).sessionId());
    assertEquals(NINE, again.get(0).at(), "made at its due time: the journal keeps no other");
    assertEquals(Schedule.firingId("sch_1", ELEVEN), again.get(1).data().get("turnId").asText());
    assertEquals(List.of(), fired.recovered(), "the replay starts afresh");
  }

  @Test
  void aLongReplayOffersTheNewestFiringsOnly() {
    ScheduleFiredNotices fired = new ScheduleFiredNotices(ENTITY, 3);
    for (int i = 0; i < 1_000; i++) {
      fired.replayed(new ScheduleRan("sch_1", NINE.plusSeconds(60L * i), true, null));
    }
    List<LifecycleNotice> again = fired.recovered();
    assertEquals(3, again.size());
    assertEquals(NINE.plusSeconds(60L * 999).toString(), again.get(2).data().get("dueAt").asText());
  }
}
