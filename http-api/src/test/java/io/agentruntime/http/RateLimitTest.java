package io.agentruntime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.http.auth.RateLimiter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Requests per API key are limited; over the limit is 429 with Retry-After. */
class RateLimitTest {

  @Test
  void aKeyOverItsLimitGets429WithRetryAfterWhileOtherKeysGoOn() throws Exception {
    TestNode node = TestNode.shared();
    HttpServer server =
        node.serve(
            "agent-runtime.http.rate-limit.per-second = 0.5\nagent-runtime.http.rate-limit.burst = 2",
            node.keysFile);
    try {
      Api api = new Api(server.address());
      assertEquals(200, api.get(TestKeys.ADA, "/v1/sessions").status());
      assertEquals(200, api.get(TestKeys.ADA, "/v1/sessions").status());
      Api.Response limited = api.get(TestKeys.ADA, "/v1/sessions");
      assertEquals(429, limited.status());
      assertEquals("rate_limited", limited.errorCode());
      long retryAfter = Long.parseLong(limited.header("Retry-After").orElseThrow());
      assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter);
      assertEquals(200, api.get(TestKeys.BOB, "/v1/sessions").status(), "the limit is per key");
      assertEquals(
          200, api.get(null, "/health/alive").status(), "health needs no key and has no limit");
    } finally {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void tokensComeBackAtTheConfiguredRate() {
    AtomicLong now = new AtomicLong();
    RateLimiter limiter = new RateLimiter(2, 3, now::get);
    for (int i = 0; i < 3; i++) {
      assertEquals(0, limiter.acquire("k"), "the burst");
    }
    assertEquals(1, limiter.acquire("k"));
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
    assertEquals(0, limiter.acquire("k"), "one token after half a second at 2/s");
    assertEquals(1, limiter.acquire("k"));
    assertEquals(0, new RateLimiter(0, 1, now::get).acquire("k"), "a rate of 0 is no limit");
  }
}
