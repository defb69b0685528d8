package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rules of schedules as tables: what a request may set, when it runs, what was missed. */
class ScheduleRulesTest {

  private static final Instant NOW = Instant.parse("2026-03-02T07:30:00Z"); // a Monday
  private static final Caller ALICE = new Caller("alice", false);
  private static final ScheduleSettings SETTINGS =
      new ScheduleSettings(
          3,
          Duration.ofDays(366),
          Duration.ofSeconds(60),
          Duration.ofSeconds(1),
          Duration.ofSeconds(10),
          200,
          256,
          Duration.ofSeconds(30));
  private final ScheduleRules rules = new ScheduleRules(SETTINGS, 100);

  private static String nul(String s) {
    return s == null || s.equals("-") ? null : s;
  }

  private ScheduleRules.Created create(
      String message, String at, String in, String cron, String zone, String missed) {
    return rules.create(
        new ScheduleRules.Request(
            nul(message), nul(at), nul(in), nul(cron), nul(zone), nul(missed)),
        "sched_1",
        ALICE,
        NOW,
        0);
  }

  @ParameterizedTest(name = "{0} {1} {2} {3} {4} {5} -> {6}")
  @CsvSource(
      delimiter = '|',
      value = {
        // message | at | in | cron | timezone | missed | refused field
        "-        | -                    | PT10M | -             | -            | -        | message",
        "'   '    | -                    | PT10M | -             | -            | -        | message",
        "hi       | -                    | -     | -             | -            | -        | at",
        "hi       | 2026-03-02T08:00:00Z | PT10M | -             | -            | -        | in",
        "hi       | -                    | PT10M | 0 9 * * *     | -            | -        | cron",
        "hi       | 2026-03-02T07:00:00Z | -     | -             | -            | -        | at",
        "hi       | 2026-03-02T07:30:00Z | -     | -             | -            | -        | at",
        "hi       | tomorrow             | -     | -             | -            | -        | at",
        "hi       | -                    | 10m   | -             | -            | -        | in",
        "hi       | -                    | PT0S  | -             | -            | -        | in",
        "hi       | -                    | -PT1M | -             | -            | -        | in",
        "hi       | -                    | P400D | -             | -            | -        | in",
        "hi       | -                    | PT10M | -             | Europe/Paris | -        | timezone",
        "hi       | -                    | -     | 0 9 * * MON-FRI | Mars/Base  | -        | timezone",
        "hi       | -                    | -     | * * * * * *   | -            | -        | cron",
        "hi       | -                    | -     | 0 0 9 * * MON | -            | -        | cron",
        "hi       | -                    | -     | 61 9 * * *    | -            | -        | cron",
        "hi       | -                    | -     | 0 9 * *       | -            | -        | cron",
        "hi       | -                    | -     | every minute  | -            | -        | cron",
        "hi       | -                    | PT10M | -             | -            | always   | missed",
        "hi       | -                    | PT10M | -             | -            | RUN_ONCE | missed",
      })
  void refusesBadInputNamingTheField(
      String message, String at, String in, String cron, String zone, String missed, String field) {
    ScheduleRules.Created made = create(message, at, in, cron, zone, missed);
    assertNull(made.schedule());
    assertEquals(Problem.Kind.INVALID, made.refusal().kind());
    assertEquals(field, made.refusal().field());
  }

  @Test
  void refusesTooLongAMessage() {
    ScheduleRules.Created made = create("x".repeat(101), "-", "PT1M", "-", "-", "-");
    assertEquals("message", made.refusal().field());
  }

  @Test
  void refusesOneScheduleOverTheSessionsLimit() {
    ScheduleRules.Request r = new ScheduleRules.Request("hi", null, "PT1M", null, null, null);
    assertNull(rules.create(r, "s", ALICE, NOW, 2).refusal());
    Problem p = rules.create(r, "s", ALICE, NOW, 3).refusal();
    assertEquals("too_many_schedules", p.code());
    assertEquals(Problem.Kind.INVALID, p.kind());
  }

  @ParameterizedTest(name = "{0} {1} {2} {3} -> {4}")
  @CsvSource(
      delimiter = '|',
      value = {
        // at | in | cron | timezone | first run
        "2026-03-02T08:00:00Z      | -     | -               | -             | 2026-03-02T08:00:00Z",
        "2026-03-02T09:00:00+01:00 | -     | -               | -             | 2026-03-02T08:00:00Z",
        "-                         | PT10M | -               | -             | 2026-03-02T07:40:00Z",
        "-                         | PT2S  | -               | -             | 2026-03-02T07:30:02Z",
        // 9:00 in Paris is 8:00 UTC in winter; the Monday's time has not come yet.
        "-                         | -     | 0 9 * * MON-FRI | Europe/Paris  | 2026-03-02T08:00:00Z",
        "-                         | -     | 0 9 * * MON-FRI | -             | 2026-03-02T09:00:00Z",
        "-                         | -     | 0 7 * * MON-FRI | -             | 2026-03-03T07:00:00Z",
        "-                         | -     | 0 9 * * SAT     | America/New_York | 2026-03-07T14:00:00Z",
        "-                         | -     | * * * * *       | -             | 2026-03-02T07:31:00Z",
        "-                         | -     | */15 * * * *    | -             | 2026-03-02T07:45:00Z",
      })
  void firstRun(String at, String in, String cron, String zone, String first) {
    ScheduleRules.Created made = create("hi", at, in, cron, zone, "-");
    assertNull(made.refusal(), () -> made.refusal().message());
    assertEquals(Instant.parse(first), made.schedule().nextRunAt());
    assertEquals(Schedule.Missed.RUN_ONCE, made.schedule().missed());
    assertEquals(nul(cron) == null, made.schedule().oneShot());
  }

  @Test
  void cronFollowsDaylightSavingTime() {
    // Paris moves to summer time on 2026-03-29: 9:00 is then 7:00 UTC.
    Schedule s =
        create("hi", "-", "-", "0 9 * * *", "Europe/Paris", "-")
            .schedule()
            .withNextRunAt(Instant.parse("2026-03-28T08:00:00Z"));
    assertEquals(
        Optional.of(Instant.parse("2026-03-29T07:00:00Z")),
        ScheduleRules.nextAfter(s, Instant.parse("2026-03-28T08:00:00Z")));
  }

  @ParameterizedTest(name = "{0} {1} due {2} at {3} -> fires {4}, next {5}")
  @CsvSource(
      delimiter = '|',
      value = {
        // cron | missed | due at | now | fires the run due at | next run (- : removed)
        // not due yet
        "-           | run_once | 07:40:00 | 07:39:59 | none     | none",
        // one-shot on time, a little late, late past missed-after
        "-           | run_once | 07:40:00 | 07:40:00 | 07:40:00 | -",
        "-           | run_once | 07:40:00 | 07:40:59 | 07:40:00 | -",
        "-           | run_once | 07:40:00 | 09:00:00 | 07:40:00 | -",
        "-           | skip     | 07:40:00 | 07:41:00 | 07:40:00 | -",
        "-           | skip     | 07:40:00 | 09:00:00 | -        | -",
        // cron every hour on time, then after downtime that spanned three of its times
        "0 * * * *   | run_once | 08:00:00 | 08:00:01 | 08:00:00 | 09:00:00",
        "0 * * * *   | run_once | 08:00:00 | 10:30:00 | 08:00:00 | 11:00:00",
        "0 * * * *   | skip     | 08:00:00 | 10:30:00 | -        | 11:00:00",
        "0 * * * *   | skip     | 08:00:00 | 08:00:30 | 08:00:00 | 09:00:00",
        // every minute, fired 50 s late: the next is the first after now, never one already past
        "* * * * *   | run_once | 08:00:00 | 08:00:50 | 08:00:00 | 08:01:00",
      })
  void due(String cron, String missed, String dueAt, String now, String fires, String next) {
    Schedule s =
        new Schedule(
            "sched_1",
            "hi",
            nul(cron),
            nul(cron) == null ? null : "UTC",
            ScheduleRules.missed(missed).orElseThrow(),
            at(dueAt),
            ALICE,
            NOW);
    Optional<ScheduleRules.Due> due = rules.due(s, at(now));
    if (fires.equals("none")) {
      assertTrue(due.isEmpty());
      return;
    }
    assertEquals(fires.equals("-") ? null : at(fires), due.orElseThrow().fireDueAt());
    assertEquals(next.equals("-") ? null : at(next), due.orElseThrow().next());
  }

  @Test
  void aFiringIsNamedByItsScheduleAndDueTime() {
    Instant due = Instant.parse("2026-03-02T08:00:00Z");
    assertEquals(Schedule.firingId("sched_a", due), Schedule.firingId("sched_a", due));
    assertTrue(
        !Schedule.firingId("sched_a", due).equals(Schedule.firingId("sched_b", due))
            && !Schedule.firingId("sched_a", due)
                .equals(Schedule.firingId("sched_a", due.plusSeconds(60))));
  }

  /**
   * A session is woken in the earlier half of the wake-ahead before its run (here 10 s: between 10
   * and 5 s before), at a point its firing id fixes: 1,000 runs due at one instant wake their
   * sessions spread over those 5 s, none later; with wake-ahead 0 none is woken.
   */
  @ParameterizedTest(name = "wake-ahead {0} s")
  @CsvSource({"10", "1", "0"})
  void sessionsAreWokenInTheEarlierHalfOfTheWakeAheadSpreadOverIt(int aheadSeconds) {
    ScheduleRules withAhead =
        new ScheduleRules(
            new ScheduleSettings(
                3,
                Duration.ofDays(366),
                Duration.ofSeconds(60),
                Duration.ofSeconds(1),
                Duration.ofSeconds(aheadSeconds),
                200,
                256,
                Duration.ofSeconds(30)),
            100);
    Instant due = at("08:00:00");
    java.util.Set<Long> tenthsBefore = new java.util.TreeSet<>();
    for (int i = 0; i < 1000; i++) {
      Schedule s =
          new Schedule("sched_" + i, "hi", null, null, Schedule.Missed.RUN_ONCE, due, ALICE, NOW);
      Instant wake = withAhead.wakeAt(s);
      if (aheadSeconds == 0) {
        assertNull(wake);
        continue;
      }
      long before = Duration.between(wake, due).toMillis();
      assertTrue(before > aheadSeconds * 500L && before <= aheadSeconds * 1000L, "woken " + before);
      assertEquals(wake, withAhead.wakeAt(s), "the same run wakes at the same time");
      tenthsBefore.add(before * 10 / (aheadSeconds * 1000L)); // tenths of the wake-ahead
    }
    if (aheadSeconds > 0) {
      assertTrue(
          tenthsBefore.containsAll(java.util.Set.of(5L, 6L, 7L, 8L, 9L)),
          "spread over the half: " + tenthsBefore);
    }
  }

  private static Instant at(String time) {
    return Instant.parse("2026-03-02T" + time + "Z");
  }
}
