package io.agentruntime.runtime.model;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before the next attempt of a model call: what the provider asked for in {@code
 * Retry-After} (or OpenAI's {@code retry-after-ms}), capped, else exponential backoff with jitter.
 */
final class RetryPolicy {

  private final OpenAiSettings settings;

  RetryPolicy(OpenAiSettings settings) {
    this.settings = settings;
  }

  /** The wait after failed attempt number {@code attempt} (1 for the first). */
  Duration delayAfter(int attempt, Duration retryAfter) {
    if (retryAfter != null) {
      return min(retryAfter, settings.retryAfterCap());
    }
    long initial = settings.initialBackoff().toMillis();
    long exponential = initial << Math.min(attempt - 1, 20);
    long ceiling = Math.max(0, Math.min(exponential, settings.maxBackoff().toMillis()));
    // Half fixed, half random: clients that failed together do not come back together.
    long half = ceiling / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
  }

  /** The wait a 429 or 503 answer asks for, if it names one. */
  static Duration retryAfter(HttpHeaders headers, Instant now) {
    Optional<Duration> millis = headers.firstValue("retry-after-ms").flatMap(RetryPolicy::millis);
    if (millis.isPresent()) {
      return millis.get();
    }
    return headers
        .firstValue("retry-after")
        .flatMap(v -> seconds(v).or(() -> date(v, now)))
        .orElse(null);
  }

  private static Optional<Duration> millis(String value) {
    try {
      double ms = Double.parseDouble(value.strip());
      return ms >= 0 ? Optional.of(Duration.ofMillis((long) Math.ceil(ms))) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Duration> seconds(String value) {
    try {
      double s = Double.parseDouble(value.strip());
      return s >= 0 ? Optional.of(Duration.ofMillis((long) Math.ceil(s * 1000))) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Duration> date(String value, Instant now) {
    try {
      Instant at =
          ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(now, at);
      return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
