package io.agentruntime.runtime.session;

import io.agentruntime.runtime.testing.GoldenSamples;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A session's schedules' events are a stored contract: each still reads as its golden sample (run
 * with {@code -Dgolden.write=true} to write a missing one).
 */
@ExtendWith(TestKitJUnit5Extension.class)
class ScheduleEventGoldenTest {

  private static final Path GOLDEN = Path.of("src", "test", "resources", "golden", "schedules");
  private static final Instant AT = Instant.parse("2025-03-04T05:06:07.890123Z");
  private static final int JACKSON_CBOR = 33;

  @JUnit5TestKit public final ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static Map<String, ScheduleBook.Event> samples() {
    Schedule cron =
        new Schedule(
            "sched_0123456789abcdef01234567",
            "Daily report",
            "0 9 * * MON-FRI",
            "Europe/Paris",
            Schedule.Missed.SKIP,
            AT.plusSeconds(3600),
            new Caller("ada", false),
            AT);
    Map<String, ScheduleBook.Event> samples = new LinkedHashMap<>();
    samples.put("ScheduleAdded", new ScheduleBook.ScheduleAdded(cron));
    samples.put(
        "ScheduleAddedOnce",
        new ScheduleBook.ScheduleAdded(
            new Schedule(
                "sched_1",
                "ping",
                null,
                null,
                Schedule.Missed.RUN_ONCE,
                AT,
                new Caller("olga", true),
                AT)));
    samples.put("ScheduleRemoved", new ScheduleBook.ScheduleRemoved(cron.id(), "deleted"));
    samples.put(
        "ScheduleRan", new ScheduleBook.ScheduleRan(cron.id(), AT, true, AT.plusSeconds(86400)));
    samples.put("ScheduleRanLast", new ScheduleBook.ScheduleRan("sched_1", AT, false, null));
    return samples;
  }

  @Test
  void everyStoredEventStillReadsAsItsSample() throws Exception {
    for (Map.Entry<String, ScheduleBook.Event> e : samples().entrySet()) {
      GoldenSamples.assertReadsAsStored(testKit.system(), GOLDEN.resolve(e.getKey()), e.getValue());
    }
  }
}
