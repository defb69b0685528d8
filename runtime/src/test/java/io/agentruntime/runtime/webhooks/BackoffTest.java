package io.agentruntime.runtime.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The retry schedule of a failing delivery, with the defaults of reference.conf. */
class BackoffTest {

  private static final Backoff DEFAULTS =
      new Backoff(Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofHours(24));

  @Test
  void theWaitDoublesFromFiveSecondsUpToAnHour() {
    int[][] table = {
      {1, 5}, {2, 10}, {3, 20}, {4, 40}, {5, 80}, {10, 2560}, {11, 3600}, {12, 3600}, {40, 3600}
    };
    for (int[] row : table) {
      assertEquals(Duration.ofSeconds(row[1]), DEFAULTS.delay(row[0]), "after failure " + row[0]);
    }
  }

  @Test
  void aDeliveryThatAlwaysFailsIsTriedForADayThenGivenUp() {
    Instant since = Instant.parse("2026-12-07T00:00:00Z");
    Instant now = since;
    List<Instant> tries = new ArrayList<>(List.of(now));
    for (int failures = 1; ; failures++) {
      Optional<Instant> next = DEFAULTS.next(failures, since, now);
      if (next.isEmpty()) {
        break;
      }
      now = next.get();
      tries.add(now);
    }
    Instant last = tries.get(tries.size() - 1);
    assertTrue(!last.isAfter(since.plus(Duration.ofHours(24))), "never past the day: " + last);
    assertTrue(last.isAfter(since.plus(Duration.ofHours(23))), "close to the day: " + last);
    assertEquals(33, tries.size(), "tries: " + tries);
  }

  @Test
  void aRedeliveryStartsAFreshDay() {
    Instant since = Instant.parse("2026-12-07T00:00:00Z");
    Instant late = since.plus(Duration.ofHours(23).plusMinutes(30));
    assertEquals(Optional.empty(), DEFAULTS.next(30, since, late));
    assertEquals(Optional.of(late.plus(Duration.ofHours(1))), DEFAULTS.next(30, late, late));
  }
}
