package io.agentruntime.runtime.webhooks;

import io.agentruntime.runtime.session.LifecycleNotice;
import io.agentruntime.runtime.testing.GoldenSamples;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The outbox's events are a stored contract: each still reads as its golden sample (run with {@code
 * -Dgolden.write=true} to write a missing one).
 */
@ExtendWith(TestKitJUnit5Extension.class)
class WebhookEventGoldenTest {

  private static final Path GOLDEN = Path.of("src", "test", "resources", "golden", "webhooks");
  private static final Instant AT = Instant.parse("2025-03-04T05:06:07.890123Z");
  private static final int JACKSON_CBOR = 33;

  @JUnit5TestKit public final ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static Map<String, WebhookEvent> samples() {
    LifecycleNotice notice =
        new LifecycleNotice(
            "evt_0123456789abcdef0123456789abcdef",
            LifecycleNotice.ACTION_REQUIRED,
            "s1",
            "mcp_approval_request",
            AT);
    Map<String, WebhookEvent> samples = new LinkedHashMap<>();
    samples.put(
        "EndpointRegistered",
        new WebhookEvent.EndpointRegistered(
            new Endpoint(
                "we_0123456789abcdef01234567",
                "https://hooks.example.com/agents",
                List.of(LifecycleNotice.IDLE, LifecycleNotice.ACTION_REQUIRED),
                "c2VhbGVkIG5vbmNlIGFuZCBjaXBoZXJ0ZXh0",
                "olga",
                AT)));
    samples.put(
        "EndpointRemoved",
        new WebhookEvent.EndpointRemoved("we_0123456789abcdef01234567", "olga", AT));
    samples.put(
        "EventQueued",
        new WebhookEvent.EventQueued(notice, List.of("we_0123456789abcdef01234567"), AT));
    // One of our own events, with its data (decision 0036).
    samples.put(
        "EventQueued.with-data",
        new WebhookEvent.EventQueued(
            new LifecycleNotice(
                "evt_00112233445566778899aabbccddeeff",
                LifecycleNotice.TURN_FAILED,
                "s1",
                null,
                AT,
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                    .objectNode()
                    .put("sessionId", "s1")
                    .put("turnId", "turn_1")
                    .put("status", "failed")),
            List.of("we_0123456789abcdef01234567"),
            AT));
    samples.put(
        "DeliveryAttempted",
        new WebhookEvent.DeliveryAttempted(
            "we_0123456789abcdef01234567", notice.eventId(), 503, null, false, AT, AT));
    samples.put(
        "RedeliveryRequested",
        new WebhookEvent.RedeliveryRequested(
            "we_0123456789abcdef01234567", notice.eventId(), "olga", AT));
    return samples;
  }

  @Test
  void everyStoredEventStillReadsAsItsSample() throws Exception {
    for (Map.Entry<String, WebhookEvent> e : samples().entrySet()) {
      GoldenSamples.assertReadsAsStored(testKit.system(), GOLDEN.resolve(e.getKey()), e.getValue());
    }
  }
}
