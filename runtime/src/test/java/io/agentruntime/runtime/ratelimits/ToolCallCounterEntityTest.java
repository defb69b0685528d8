package io.agentruntime.runtime.ratelimits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import io.agentruntime.runtime.testing.GoldenSamples;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A tenant's tool counter (decision 0046): it grants slots under the limit, counts a call once
 * whatever it asks again, counts a call a human approved over the limit, and keeps its count across
 * a restart. Its one event is a stored contract with a golden sample (run with {@code
 * -Dgolden.write=true} to write a missing one).
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ToolCallCounterEntityTest {

  private static final Path GOLDEN =
      Path.of("src", "test", "resources", "golden", "ratelimits", "ToolCallCounted");

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder()
          .withName("ToolCallCounterEntityTest")
          .withCustomConfig(
              EventSourcedBehaviorTestKit.config()
                  .withFallback(ConfigFactory.parseString("pekko.loglevel = WARNING")))
          .build();

  private static final RateLimit TWO_PER_HOUR = new RateLimit(null, 2, null);

  /** A clock the test moves. */
  private static final class Moving extends Clock {
    private volatile Instant now = Instant.parse("2026-12-07T12:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private static RateLimitHit claim(
      EventSourcedBehaviorTestKit<ToolCallCounterEntity.Command, ToolCallCounted, ToolCallCounts>
          kit,
      String key,
      boolean force) {
    return kit.<ToolCallCounterEntity.Claimed>runCommand(
            replyTo -> new ToolCallCounterEntity.Claim(key, TWO_PER_HOUR, force, replyTo))
        .reply()
        .hit();
  }

  @Test
  void slotsUnderTheLimitOnceEachThenHeldUntilTheWindowSlides() {
    Moving clock = new Moving();
    var kit =
        EventSourcedBehaviorTestKit
            .<ToolCallCounterEntity.Command, ToolCallCounted, ToolCallCounts>create(
                testKit.system(),
                ToolCallCounterEntity.create("send_email@acme", clock),
                EventSourcedBehaviorTestKit.enabledSerializationSettings()
                    .withVerifyEquality(true));
    assertNull(claim(kit, "s1/t1/c1", false));
    assertNull(claim(kit, "s1/t1/c1", false), "the same call again: counted once");
    assertNull(claim(kit, "s2/t1/c1", false), "another session's call");
    assertEquals(2, kit.getState().started().size());
    assertEquals(RateLimitHit.over("hour", 2, 2), claim(kit, "s1/t1/c2", false));
    assertEquals(2, kit.getState().started().size(), "a call held is not counted");

    assertNull(claim(kit, "s1/t1/c2", true), "approved over the limit: counted, it runs");
    kit.restart();
    assertEquals(RateLimitHit.over("hour", 2, 3), claim(kit, "s1/t1/c3", false));

    clock.now = clock.now.plus(Duration.ofHours(1));
    assertNull(claim(kit, "s1/t1/c3", false), "an hour later the window has room again");
  }

  @Test
  void theStoredEventStillReadsAsItsSample() throws Exception {
    ToolCallCounted sample =
        new ToolCallCounted("acme-s1/t1/call_1", Instant.parse("2025-03-04T05:06:07.890123Z"));
    GoldenSamples.assertReadsAsStored(testKit.system(), GOLDEN, sample);
  }
}
