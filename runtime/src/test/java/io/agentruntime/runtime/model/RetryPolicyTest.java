package io.agentruntime.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Waits between attempts: Retry-After in its forms, the cap, and jittered backoff bounds. */
class RetryPolicyTest {

  private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

  @Test
  void readsRetryAfterInSecondsAsADateAndInMilliseconds() {
    assertEquals(Duration.ofSeconds(2), RetryPolicy.retryAfter(headers("retry-after", "2"), NOW));
    assertEquals(
        Duration.ofSeconds(30),
        RetryPolicy.retryAfter(headers("Retry-After", "Wed, 01 Jan 2025 00:00:30 GMT"), NOW));
    assertEquals(
        Duration.ofMillis(250), RetryPolicy.retryAfter(headers("retry-after-ms", "250"), NOW));
    assertNull(RetryPolicy.retryAfter(headers("retry-after", "soon"), NOW));
    assertNull(RetryPolicy.retryAfter(HttpHeaders.of(Map.of(), (a, b) -> true), NOW));
  }

  @Test
  void capsRetryAfterAndBoundsTheBackoff() {
    RetryPolicy policy =
        new RetryPolicy(
            ModelCalls.settings("http://h/v1")
                .withBackoff(
                    Duration.ofMillis(100), Duration.ofMillis(1000), Duration.ofSeconds(5)));

    assertEquals(Duration.ofSeconds(5), policy.delayAfter(1, Duration.ofHours(1)));
    for (int attempt = 1; attempt <= 10; attempt++) {
      long ceiling = Math.min(1000, 100L << (attempt - 1));
      long wait = policy.delayAfter(attempt, null).toMillis();
      assertTrue(wait >= ceiling / 2 && wait <= ceiling, attempt + ": " + wait);
    }
  }

  private static HttpHeaders headers(String name, String value) {
    return HttpHeaders.of(Map.of(name, List.of(value)), (a, b) -> true);
  }
}
