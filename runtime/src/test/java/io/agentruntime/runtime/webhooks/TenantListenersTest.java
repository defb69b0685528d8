package io.agentruntime.runtime.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TenantListenersTest {

  private static final long RECHECK = 2_000_000_000L;

  @Test
  void aTenantNeverAskedAboutIsUnknown() {
    assertEquals(Optional.empty(), new TenantListeners(RECHECK).listening("acme", 0));
  }

  @Test
  void whatWasLearnedHoldsUntilTheRecheck() {
    TenantListeners listeners = new TenantListeners(RECHECK);
    listeners.learned("acme", false, 1_000);
    listeners.learned("globex", true, 1_000);

    assertEquals(Optional.of(false), listeners.listening("acme", 1_000 + RECHECK - 1));
    assertEquals(Optional.of(true), listeners.listening("globex", 1_000 + RECHECK - 1));
    assertEquals(Optional.empty(), listeners.listening("acme", 1_000 + RECHECK));
    assertEquals(Optional.empty(), listeners.listening("globex", 1_000 + RECHECK + 5));
  }

  @Test
  void aChangeThroughThisNodeIsAskedAboutAgainAtOnce() {
    TenantListeners listeners = new TenantListeners(RECHECK);
    listeners.learned("acme", false, 0);
    listeners.forget("acme");
    assertEquals(Optional.empty(), listeners.listening("acme", 1));
  }

  @Test
  void theClockMayStartNegative() {
    TenantListeners listeners = new TenantListeners(RECHECK);
    listeners.learned("acme", false, Long.MIN_VALUE + 10);
    assertEquals(Optional.of(false), listeners.listening("acme", Long.MIN_VALUE + 20));
  }
}
