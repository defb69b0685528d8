package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.testing.GoldenSamples;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A tenant's month is counted durably by its entity (decision 0045): a report sent again adds
 * nothing, and the count outlives a restart; its one event is a stored contract with a golden
 * sample (run with {@code -Dgolden.write=true} to write a missing one).
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantUsageEntityTest {

  private static final Path GOLDEN =
      Path.of("src", "test", "resources", "golden", "tenant", "TenantUsage$Counted");

  private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder()
          .withName("TenantUsageEntityTest")
          .withCustomConfig(EventSourcedBehaviorTestKit.config().withFallback(Fixtures.QUIET))
          .build();

  @Test
  void aReportIsCountedOnceAndKeptAcrossARestart() {
    EventSourcedBehaviorTestKit<TenantUsageEntity.Command, TenantUsage.Counted, TenantUsage> kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            TenantUsageEntity.create("acme"),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    TenantUsage.Report report =
        new TenantUsage.Report(
            "acme:s1", Usage.NONE, new Usage(40, 20, new BigDecimal("0.08")), AT);
    var first =
        kit.<TenantUsage.Spent>runCommand(
            replyTo -> new TenantUsageEntity.Count(java.util.List.of(report), replyTo));
    assertEquals(60, tokens(first.reply()));
    assertTrue(
        kit.<TenantUsage.Spent>runCommand(
                replyTo -> new TenantUsageEntity.Count(java.util.List.of(report), replyTo))
            .hasNoEvents(),
        "the same report again adds nothing");
    kit.restart();
    var read =
        kit.<TenantUsage.Spent>runCommand(
            replyTo -> new TenantUsageEntity.GetMonth("2026-12", replyTo));
    assertEquals(60, tokens(read.reply()));
    assertEquals(new BigDecimal("0.08"), read.reply().usage().costUsd());
  }

  @Test
  void theReportsOfOneCountAreJournaledTogetherEachOnce() {
    EventSourcedBehaviorTestKit<TenantUsageEntity.Command, TenantUsage.Counted, TenantUsage> kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            TenantUsageEntity.create("globex"),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    Usage one = new Usage(40, 20, new BigDecimal("0.08"));
    var counted =
        kit.<TenantUsage.Spent>runCommand(
            replyTo ->
                new TenantUsageEntity.Count(
                    java.util.List.of(
                        new TenantUsage.Report("globex:a", Usage.NONE, one, AT),
                        new TenantUsage.Report("globex:b", Usage.NONE, one, AT),
                        new TenantUsage.Report("globex:a", Usage.NONE, one, AT)),
                    replyTo));
    assertEquals(2, counted.events().size(), "the repeated report adds nothing");
    assertEquals(120, tokens(counted.reply()));
  }

  private static long tokens(TenantUsage.Spent s) {
    return s.usage().inputTokens() + s.usage().outputTokens();
  }

  @Test
  void theStoredEventStillReadsAsItsSample() throws Exception {
    TenantUsage.Counted sample =
        new TenantUsage.Counted(
            "acme:s1",
            "2026-12",
            new Usage(40, 20, new BigDecimal("0.08")),
            new Usage(140, 60, new BigDecimal("0.28")),
            new Usage(100, 40, new BigDecimal("0.2")));
    GoldenSamples.assertReadsAsStored(testKit.system(), GOLDEN, sample);
  }
}
