package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agentruntime.runtime.session.InternalCommand.IdleCheck;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

/**
 * An idle session does not passivate while the webhook notices it handed over are still on their
 * way to its tenant's outbox: its passivation snapshot would hide them from its next recovery's
 * replay, and a passivated session is not restarted after a crash (decision 0027). It waits at most
 * webhook-handoff-hold.
 */
class SessionEntityHandOffHoldTest extends SessionEntityTestSupport {

  private TestProbe<ClusterSharding.ShardCommand> shardProbe;

  /** The outbox has not answered yet. */
  private final CompletableFuture<Void> outboxAnswered = new CompletableFuture<>();

  SessionEntityHandOffHoldTest() {
    super(
        "agent-runtime.session { snapshot-on-passivation-min-events = 1, "
            + "webhook-handoff-hold = 10m }");
  }

  @Override
  ActorRef<ClusterSharding.ShardCommand> shard() {
    shardProbe = testKit.createTestProbe();
    return shardProbe.ref();
  }

  @Override
  LifecycleFeed lifecycle() {
    return new LifecycleFeed() {
      @Override
      public void notice(String tenant, LifecycleNotice notice) {}

      @Override
      public CompletionStage<Void> settled(String tenant) {
        return outboxAnswered;
      }
    };
  }

  private List<SessionEvent> idleCheck() {
    return kit.runCommand(new IdleCheck()).events();
  }

  @Test
  void anIdleSessionWaitsForItsHandOffsThenPassivates() {
    createSession();
    assertEquals(List.of(), idleCheck(), "no passivation marker while handing over");
    shardProbe.expectNoMessage(Duration.ofMillis(300));

    outboxAnswered.complete(null); // the outbox took them: the session checks again by itself
    shardProbe.expectMessageClass(ClusterSharding.Passivate.class);
    assertEquals(
        SessionEvent.SessionPassivating.class,
        journal().get(journal().size() - 1).getClass(),
        "the passivation snapshot follows the hand-offs");
  }

  @Test
  void anOutboxThatNeverAnswersHoldsTheSessionNoLongerThanTheHold() {
    createSession();
    assertEquals(List.of(), idleCheck());
    shardProbe.expectNoMessage(Duration.ofMillis(300));

    clock.advance(Duration.ofMinutes(10));
    assertEquals(1, idleCheck().size(), "the passivation marker");
    shardProbe.expectMessageClass(ClusterSharding.Passivate.class);
  }
}
