package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.agentruntime.runtime.ratelimits.RateLimitHit;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node's cache of its tenants' policies under a burst: every session of a tenant that finds the
 * entry stale at once (10,000 scheduled sessions waking in the same second) is answered by one read
 * of the tenant's entity, not one ask each, which overflowed the entity's stash while it recovered
 * and left the sessions without a policy.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantPoliciesTest {

  /** Far more readers at once than the entity may stash while it starts. */
  private static final int READERS = 2_000;

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder()
          .withName("TenantPoliciesTest")
          .withCustomConfig(
              ConfigFactory.parseString(
                      """
                      pekko.loglevel = ERROR
                      pekko.actor.provider = cluster
                      pekko.remote.artery.canonical.hostname = "127.0.0.1"
                      pekko.remote.artery.canonical.port = 0
                      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                      pekko.persistence.typed.stash-capacity = 20
                      agent-runtime.session.ask-timeout = 3s
                      """)
                  .withFallback(PersistenceTestKitPlugin.config())
                  .withFallback(PersistenceTestKitSnapshotPlugin.config()))
          .build();

  private TenantPolicies policies;

  @BeforeAll
  void joinItself() {
    Cluster cluster = Cluster.get(testKit.system());
    TestProbe<SelfUp> up = testKit.createTestProbe(SelfUp.class);
    cluster.subscriptions().tell(Subscribe.create(up.ref(), SelfUp.class));
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    up.expectMessageClass(SelfUp.class, Duration.ofSeconds(20));
    policies =
        TenantPolicies.start(
            testKit.system(),
            SessionSettings.fromConfig(testKit.system().settings().config()),
            Duration.ofSeconds(2),
            Clock.systemUTC());
  }

  @Test
  void aBurstOfReadersOfAStaleTenantIsAnsweredByOneRead() {
    List<CompletableFuture<TenantPolicy>> reads = new ArrayList<>();
    for (int i = 0; i < READERS; i++) {
      reads.add(policies.ceiling("acme").toCompletableFuture());
    }
    int answered = 0;
    for (CompletableFuture<TenantPolicy> read : reads) {
      if (!read.handle((policy, failure) -> failure == null && policy != null).join()) {
        continue;
      }
      answered++;
    }
    assertEquals(READERS, answered, "every reader got the tenant's policy");
  }

  /**
   * A tenant whose policy cannot be read (its entity cannot recover): a call of a tool is held for
   * a human all the same, and the hold says the policy was unread, not that a limit was hit.
   */
  @Test
  void aCallOfATenantWhosePolicyCannotBeReadIsHeldSayingSo() {
    String tenant = "unreadable";
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    journal.failNextNReads(
        PersistenceId.of(TenantPolicyEntity.TYPE_KEY.name(), tenant).id(), 1_000);
    Optional<RateLimitHit> held =
        policies.slot(tenant, "send_email", "s1/t1/c1", () -> false).toCompletableFuture().join();
    assertEquals(Optional.of(RateLimitHit.policyUnread()), held);

    // Let the entity recover (it retries with backoff), so that the node can stop.
    journal.resetPolicy();
    boolean read = false;
    for (int i = 0; i < 10 && !read; i++) {
      read = policies.ceiling(tenant).toCompletableFuture().handle((p, e) -> e == null).join();
    }
    assertTrue(read, "the policy is read once the journal answers again");
  }
}
