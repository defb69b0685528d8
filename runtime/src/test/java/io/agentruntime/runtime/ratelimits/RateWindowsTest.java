package io.agentruntime.runtime.ratelimits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The rule of decision 0046: may a call start now, given when the counted calls started? */
class RateWindowsTest {

  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  private record Row(String name, RateLimit limit, List<Instant> started, RateLimitHit expected) {}

  private static List<Instant> ago(Duration each, int count) {
    return Stream.iterate(NOW.minus(each), at -> at.minus(each)).limit(count).toList();
  }

  private static Instant minus(Duration d) {
    return NOW.minus(d);
  }

  private static List<Row> table() {
    RateLimit tenPerHour = new RateLimit(null, 10, null);
    return List.of(
        new Row("no call yet", tenPerHour, List.of(), null),
        new Row(
            "9 in the hour: the 10th may start", tenPerHour, ago(Duration.ofMinutes(5), 9), null),
        new Row(
            "10 in the hour: the 11th waits",
            tenPerHour,
            ago(Duration.ofMinutes(5), 10),
            RateLimitHit.over("hour", 10, 10)),
        new Row(
            "10 calls, the oldest exactly an hour ago: it no longer counts (sliding window)",
            tenPerHour,
            Stream.concat(
                    ago(Duration.ofMinutes(5), 9).stream(), Stream.of(minus(Duration.ofHours(1))))
                .toList(),
            null),
        new Row(
            "10 calls, the oldest a second short of an hour: it counts",
            tenPerHour,
            Stream.concat(
                    ago(Duration.ofMinutes(5), 9).stream(),
                    Stream.of(minus(Duration.ofHours(1).minusSeconds(1))))
                .toList(),
            RateLimitHit.over("hour", 10, 10)),
        new Row(
            "more than the limit counted (approved over it): the count says how many",
            tenPerHour,
            ago(Duration.ofMinutes(1), 12),
            RateLimitHit.over("hour", 10, 12)),
        new Row(
            "per minute full, per hour not: the minute is named",
            new RateLimit(2, 100, null),
            ago(Duration.ofSeconds(10), 2),
            RateLimitHit.over("minute", 2, 2)),
        new Row(
            "per minute free again, per hour full: the hour is named",
            new RateLimit(2, 3, null),
            ago(Duration.ofMinutes(10), 3),
            RateLimitHit.over("hour", 3, 3)),
        new Row(
            "per day: yesterday's calls count until a day has passed",
            new RateLimit(null, null, 5),
            ago(Duration.ofHours(4), 5),
            RateLimitHit.over("day", 5, 5)),
        new Row(
            "per day: calls older than a day count for nothing",
            new RateLimit(null, null, 5),
            ago(Duration.ofHours(5), 5).stream().map(at -> at.minus(Duration.ofDays(1))).toList(),
            null));
  }

  @TestFactory
  Stream<DynamicTest> decisions() {
    return table().stream()
        .map(
            row ->
                DynamicTest.dynamicTest(
                    row.name(),
                    () ->
                        assertEquals(
                            Optional.ofNullable(row.expected()),
                            RateWindows.over(row.limit(), row.started(), NOW))));
  }
}
