package io.agentruntime.runtime.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.LifecycleNotice;
import io.agentruntime.runtime.webhooks.WebhookEvent.DeliveryAttempted;
import io.agentruntime.runtime.webhooks.WebhookEvent.EndpointRegistered;
import io.agentruntime.runtime.webhooks.WebhookEvent.EndpointRemoved;
import io.agentruntime.runtime.webhooks.WebhookEvent.EventQueued;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The outbox's state, pure: who takes an event, the dedup of ids, the bounded log. */
class WebhookStateTest {

  private static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");
  private static final Duration WINDOW = Duration.ofHours(48);

  private static Endpoint endpoint(String id, Instant at, String... events) {
    return new Endpoint(id, "http://127.0.0.1/" + id, List.of(events), "sealed", "olga", at);
  }

  private static LifecycleNotice event(String id, String type, Instant at) {
    return new LifecycleNotice(id, type, "s1", null, at);
  }

  private static WebhookState fold(int logSize, WebhookEvent... events) {
    WebhookState s = WebhookState.EMPTY;
    for (WebhookEvent e : events) {
      s = s.apply(e, logSize, WINDOW);
    }
    return s;
  }

  @Test
  void anEventIsTakenByTheEndpointsThatAskedForItsTypeAndWereMadeBeforeIt() {
    WebhookState s =
        fold(
            10,
            new EndpointRegistered(endpoint("we_idle", T0, LifecycleNotice.IDLE)),
            new EndpointRegistered(
                endpoint("we_all", T0, LifecycleNotice.IDLE, LifecycleNotice.CREATED)),
            new EndpointRegistered(endpoint("we_late", T0.plusSeconds(60), LifecycleNotice.IDLE)));
    Object[][] table = {
      {LifecycleNotice.IDLE, T0.plusSeconds(1), List.of("we_idle", "we_all")},
      {LifecycleNotice.IDLE, T0.plusSeconds(61), List.of("we_idle", "we_all", "we_late")},
      {LifecycleNotice.CREATED, T0.plusSeconds(61), List.of("we_all")},
      {LifecycleNotice.FAILED, T0.plusSeconds(61), List.of()},
      {LifecycleNotice.IDLE, T0.minusSeconds(1), List.of()},
    };
    for (Object[] row : table) {
      assertEquals(
          row[2],
          s.takers(event("evt", (String) row[0], (Instant) row[1]), 1000),
          row[0] + " at " + row[1]);
    }
  }

  @Test
  void anEventIdIsKnownWithinTheWindowAndForgottenAfter() {
    WebhookState s =
        fold(
            10,
            new EndpointRegistered(endpoint("we_1", T0, LifecycleNotice.IDLE)),
            new EventQueued(event("evt_a", LifecycleNotice.IDLE, T0), List.of("we_1"), T0));
    assertTrue(s.seen("evt_a"));
    assertFalse(s.seen("evt_b"));
    WebhookState later =
        s.apply(
            new EventQueued(
                event("evt_b", LifecycleNotice.IDLE, T0.plus(WINDOW).plusSeconds(1)),
                List.of("we_1"),
                T0.plus(WINDOW).plusSeconds(1)),
            10,
            WINDOW);
    assertFalse(later.seen("evt_a"), "forgotten past the window");
    assertTrue(later.seen("evt_b"));
  }

  @Test
  void theLogKeepsEveryPendingDeliveryAndTheNewestEndedOnes() {
    WebhookEvent[] events = new WebhookEvent[1 + 2 * 4 + 1];
    events[0] = new EndpointRegistered(endpoint("we_1", T0, LifecycleNotice.IDLE));
    for (int i = 0; i < 4; i++) {
      events[1 + 2 * i] =
          new EventQueued(event("evt_" + i, LifecycleNotice.IDLE, T0), List.of("we_1"), T0);
      events[2 + 2 * i] = new DeliveryAttempted("we_1", "evt_" + i, 200, null, true, null, T0);
    }
    events[9] = new EventQueued(event("evt_p", LifecycleNotice.IDLE, T0), List.of("we_1"), T0);
    WebhookState s = fold(2, events);
    assertEquals(
        List.of("evt_2", "evt_3", "evt_p"),
        s.log("we_1").stream().map(d -> d.event().eventId()).toList());
    assertEquals(Delivery.PENDING, s.delivery("we_1", "evt_p").orElseThrow().state());
    assertEquals(1, s.delivery("we_1", "evt_3").orElseThrow().attempts());

    WebhookState removed = s.apply(new EndpointRemoved("we_1", "olga", T0), 2, WINDOW);
    assertTrue(removed.endpoint("we_1").isEmpty());
    assertEquals(List.of(), removed.log("we_1"), "its pending deliveries end with it");
  }

  @Test
  void aFailedTryStaysPendingUntilItIsGivenUp() {
    WebhookState s =
        fold(
            10,
            new EndpointRegistered(endpoint("we_1", T0, LifecycleNotice.IDLE)),
            new EventQueued(event("evt_a", LifecycleNotice.IDLE, T0), List.of("we_1"), T0),
            new DeliveryAttempted("we_1", "evt_a", 500, null, false, T0.plusSeconds(5), T0),
            new DeliveryAttempted("we_1", "evt_a", null, "timeout", false, null, T0));
    Delivery d = s.delivery("we_1", "evt_a").orElseThrow();
    assertEquals(Delivery.GIVEN_UP, d.state());
    assertEquals(2, d.attempts());
    assertEquals("timeout", d.lastError());
    assertTrue(s.takers(event("evt_b", LifecycleNotice.IDLE, T0), 1).contains("we_1"));
    WebhookState full =
        s.apply(
            new EventQueued(event("evt_c", LifecycleNotice.IDLE, T0), List.of("we_1"), T0),
            10,
            WINDOW);
    assertEquals(
        List.of(),
        full.takers(event("evt_d", LifecycleNotice.IDLE, T0), 1),
        "an endpoint with max-pending deliveries waiting takes no more");
  }
}
