package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.SessionCommand.WriteMemory;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

/**
 * With the default snapshot-on-passivation-min-events (10): a session with a short tail since its
 * newest snapshot passivates without a marker or a snapshot; one with a longer tail saves one.
 */
class SessionEntityPassivationThresholdTest extends SessionEntityTestSupport {

  private TestProbe<ClusterSharding.ShardCommand> shardProbe;

  SessionEntityPassivationThresholdTest() {
    super("agent-runtime.session { snapshot-every = 100, max-memory-entries = 20 }");
  }

  @Override
  ActorRef<ClusterSharding.ShardCommand> shard() {
    shardProbe = testKit.createTestProbe();
    return shardProbe.ref();
  }

  private void writes(int from, int to) {
    for (int n = from; n < to; n++) {
      int key = n;
      run(r -> new WriteMemory(ADA, "k" + key, json(Integer.toString(key)), r));
    }
  }

  @Test
  void aShortTailPassivatesAsItIsALongerOneSavesASnapshotFirst() {
    createSession();
    writes(0, 8);
    assertEquals(9, kit.getState().lastSeq());

    assertEquals(
        List.of(), kit.runCommand(new InternalCommand.IdleCheck()).events(), "9 events: no marker");
    shardProbe.expectMessageClass(ClusterSharding.Passivate.class);
    assertTrue(kit.snapshotTestKit().orElseThrow().persistedInStorage(persistenceId()).isEmpty());

    writes(8, 9);
    assertEquals(
        1,
        kit.runCommand(new InternalCommand.IdleCheck()).events().size(),
        "10 events: the marker");
    shardProbe.expectMessageClass(ClusterSharding.Passivate.class);
    assertEquals(
        List.of(11L),
        kit.snapshotTestKit().orElseThrow().persistedInStorage(persistenceId()).stream()
            .map(p -> p.first().sequenceNr())
            .toList());
  }
}
