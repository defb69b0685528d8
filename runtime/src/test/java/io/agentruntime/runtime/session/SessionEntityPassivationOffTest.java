package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

/** With snapshot-on-passivation off (rolling out from a version that cannot read the marker). */
class SessionEntityPassivationOffTest extends SessionEntityTestSupport {

  private TestProbe<ClusterSharding.ShardCommand> shardProbe;

  SessionEntityPassivationOffTest() {
    super("agent-runtime.session.snapshot-on-passivation = off");
  }

  @Override
  ActorRef<ClusterSharding.ShardCommand> shard() {
    shardProbe = testKit.createTestProbe();
    return shardProbe.ref();
  }

  @Test
  void anIdleSessionPassivatesWithoutMarkerOrSnapshot() {
    createSession();

    assertEquals(List.of(), kit.runCommand(new InternalCommand.IdleCheck()).events());
    shardProbe.expectMessageClass(ClusterSharding.Passivate.class);
    assertTrue(kit.snapshotTestKit().orElseThrow().persistedInStorage(persistenceId()).isEmpty());
  }
}
