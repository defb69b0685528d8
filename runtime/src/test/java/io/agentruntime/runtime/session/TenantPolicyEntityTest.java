package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.testing.GoldenSamples;
import java.nio.file.Path;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A tenant's policy is kept durably by its entity, and its one event is a stored contract with a
 * golden sample (run with {@code -Dgolden.write=true} to write a missing one).
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantPolicyEntityTest {

  private static final Path GOLDEN =
      Path.of("src", "test", "resources", "golden", "tenant", "TenantPolicyChanged");

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder()
          .withName("TenantPolicyEntityTest")
          .withCustomConfig(EventSourcedBehaviorTestKit.config().withFallback(Fixtures.QUIET))
          .build();

  private static final TenantPolicy ASK_EMAIL =
      new TenantPolicy(
          new PermissionPolicy(Map.of("send_email", Permission.ASK, "*", Permission.ALLOW)));

  @Test
  void aPolicySetIsKeptAcrossARestart() {
    EventSourcedBehaviorTestKit<TenantPolicyEntity.Command, TenantPolicyChanged, TenantPolicy> kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            TenantPolicyEntity.create(
                "acme", java.time.Clock.fixed(Fixtures.T0, java.time.ZoneOffset.UTC)),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    assertEquals(
        TenantPolicy.NONE, kit.<TenantPolicy>runCommand(TenantPolicyEntity.Get::new).reply());

    var set =
        kit.<TenantPolicy>runCommand(
            replyTo -> new TenantPolicyEntity.Replace(ASK_EMAIL, "olga", replyTo));
    assertEquals(ASK_EMAIL, set.reply());
    assertEquals("olga", set.event().by());
    assertTrue(
        kit.<TenantPolicy>runCommand(
                replyTo -> new TenantPolicyEntity.Replace(ASK_EMAIL, "olga", replyTo))
            .hasNoEvents(),
        "the same policy again changes nothing");

    kit.restart();
    assertEquals(ASK_EMAIL, kit.<TenantPolicy>runCommand(TenantPolicyEntity.Get::new).reply());
  }

  /** Decision 0042: only resume ends a suspension; a policy replaced meanwhile keeps it. */
  @Test
  void aSuspensionOutlivesAPolicyReplacementAndARestartUntilResumed() {
    EventSourcedBehaviorTestKit<TenantPolicyEntity.Command, TenantPolicyChanged, TenantPolicy> kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            TenantPolicyEntity.create(
                "acme", java.time.Clock.fixed(Fixtures.T0, java.time.ZoneOffset.UTC)),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    var suspended =
        kit.<TenantPolicy>runCommand(
            replyTo -> new TenantPolicyEntity.SetSuspended(true, "olga", replyTo));
    assertTrue(suspended.reply().suspended());
    assertEquals("olga", suspended.event().by());
    assertTrue(
        kit.<TenantPolicy>runCommand(
                replyTo -> new TenantPolicyEntity.SetSuspended(true, "olga", replyTo))
            .hasNoEvents(),
        "suspending a suspended tenant changes nothing");

    var replaced =
        kit.<TenantPolicy>runCommand(
            replyTo -> new TenantPolicyEntity.Replace(ASK_EMAIL, "olga", replyTo));
    assertEquals(ASK_EMAIL.withSuspended(true), replaced.reply());

    kit.restart();
    assertEquals(
        ASK_EMAIL.withSuspended(true),
        kit.<TenantPolicy>runCommand(TenantPolicyEntity.Get::new).reply());
    var resumed =
        kit.<TenantPolicy>runCommand(
            replyTo -> new TenantPolicyEntity.SetSuspended(false, "olga", replyTo));
    assertEquals(ASK_EMAIL, resumed.reply());
  }

  /** Decision 0045: an operator's raise of a monthly budget never lowers it, and is kept. */
  @Test
  void aBudgetRaiseKeepsTheRestAndNeverLowersTheBudget() {
    EventSourcedBehaviorTestKit<TenantPolicyEntity.Command, TenantPolicyChanged, TenantPolicy> kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            TenantPolicyEntity.create(
                "acme", java.time.Clock.fixed(Fixtures.T0, java.time.ZoneOffset.UTC)),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    kit.<TenantPolicy>runCommand(
        replyTo -> new TenantPolicyEntity.Replace(WITH_BUDGETS, "olga", replyTo));
    var raised =
        kit.<TenantPolicy>runCommand(
            replyTo ->
                new TenantPolicyEntity.RaiseBudget(
                    TenantBudgets.MONTHLY_COST, new java.math.BigDecimal("30"), "olga", replyTo));
    assertEquals(new java.math.BigDecimal("30"), raised.reply().budgets().monthlyCost());
    assertEquals(5000, raised.reply().budgets().monthlyTokens());
    assertEquals(ASK_EMAIL.tools(), raised.reply().tools());
    assertTrue(
        kit.<TenantPolicy>runCommand(
                replyTo ->
                    new TenantPolicyEntity.RaiseBudget(
                        TenantBudgets.MONTHLY_TOKENS,
                        new java.math.BigDecimal(4000),
                        "olga",
                        replyTo))
            .hasNoEvents(),
        "a raise below the budget changes nothing");
    kit.restart();
    assertEquals(
        new java.math.BigDecimal("30"),
        kit.<TenantPolicy>runCommand(TenantPolicyEntity.Get::new).reply().budgets().monthlyCost());
  }

  private static final TenantPolicy WITH_BUDGETS =
      ASK_EMAIL.withBudgets(new TenantBudgets(5000, new java.math.BigDecimal("12.5")));

  @Test
  void theStoredEventStillReadsAsItsSample() throws Exception {
    assertReadsAsSample(new TenantPolicyChanged(ASK_EMAIL, "olga", Samples.AT), GOLDEN.toString());
    assertReadsAsSample(
        new TenantPolicyChanged(WITH_BUDGETS, "olga", Samples.AT), GOLDEN + ".with-budgets");
  }

  /** Decision 0046: the policy's per-tool rate limits, an optional field of the same event. */
  @Test
  void theEventWithRateLimitsStillReadsAsItsSample() throws Exception {
    TenantPolicy limited =
        new TenantPolicy(
            ASK_EMAIL.tools(),
            false,
            Map.of(
                "send_email",
                new io.agentruntime.runtime.ratelimits.RateLimit(null, 10, null),
                "crm__create_lead",
                new io.agentruntime.runtime.ratelimits.RateLimit(5, null, 500)));
    assertReadsAsSample(
        new TenantPolicyChanged(limited, "olga", Samples.AT), GOLDEN + ".with-rate-limits");
  }

  private void assertReadsAsSample(Object sample, String golden) throws Exception {
    GoldenSamples.assertReadsAsStored(testKit.system(), Path.of(golden), sample);
  }
}
