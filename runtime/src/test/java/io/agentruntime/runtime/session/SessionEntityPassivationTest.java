package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.InternalCommand.IdleCheck;
import io.agentruntime.runtime.session.SessionCommand.GetSession;
import io.agentruntime.runtime.session.SessionCommand.GetTranscript;
import io.agentruntime.runtime.session.SessionCommand.WriteMemory;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.Test;

/**
 * An idle session saves a snapshot at its last event before it passivates, so that its next
 * recovery reads no events (decision 0051). A snapshot every 10 events, keeping 2; the entity's
 * shard is a probe that sees the Passivate.
 */
class SessionEntityPassivationTest extends SessionEntityTestSupport {

  private TestProbe<ClusterSharding.ShardCommand> shardProbe;

  SessionEntityPassivationTest() {
    super(
        "agent-runtime.session { snapshot-every = 10, keep-snapshots = 2, max-memory-entries = 20, "
            + "snapshot-on-passivation-min-events = 1 }");
  }

  @Override
  ActorRef<ClusterSharding.ShardCommand> shard() {
    shardProbe = testKit.createTestProbe();
    return shardProbe.ref();
  }

  private SnapshotTestKit snapshots() {
    return kit.snapshotTestKit().orElseThrow();
  }

  private List<Long> snapshotSeqs() {
    return snapshots().persistedInStorage(persistenceId()).stream()
        .map(p -> p.first().sequenceNr())
        .toList();
  }

  private void write(int n) {
    run(r -> new WriteMemory(ADA, "k" + n, json(Integer.toString(n)), r));
  }

  private List<SessionEvent> idleCheck() {
    return kit.runCommand(new IdleCheck()).events();
  }

  private void expectPassivate() {
    shardProbe.expectMessageClass(ClusterSharding.Passivate.class);
  }

  private void expectNoPassivate() {
    shardProbe.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void anIdleSessionSavesASnapshotAtItsLastEventThenPassivates() {
    createSession();
    write(2);
    write(3);
    SessionView before = current(run(r -> new GetSession(ADA, r)).reply());
    var transcriptBefore = run(r -> new GetTranscript(ADA, r)).reply();

    assertEquals(List.of(new SessionEvent.SessionPassivating(clock.instant())), idleCheck());
    expectPassivate();

    assertEquals(List.of(4L), snapshotSeqs());
    SessionState atTip = kit.getState();
    assertEquals(
        atTip,
        ((SessionSnapshot) snapshots().persistedInStorage(persistenceId()).get(0).second())
            .toState());
    // The marker changes nothing a client sees but the sequence number: not updatedAt, not the
    // transcript.
    SessionView after = current(run(r -> new GetSession(ADA, r)).reply());
    assertEquals(4, after.lastSeq());
    assertEquals(before.updatedAt(), after.updatedAt());
    assertEquals(before.memory(), after.memory());
    assertEquals(before.status(), after.status());
    assertEquals(transcriptBefore, run(r -> new GetTranscript(ADA, r)).reply());

    // The snapshot alone rebuilds the session: no event after it is needed.
    kit.persistenceTestKit().clearByIdPreservingSeqNumbers(persistenceId());
    assertEquals(atTip, kit.restart().state());
  }

  @Test
  void nothingJournaledSinceTheNewestSnapshotPassivatesWithoutAnother() {
    createSession();
    write(2);
    assertEquals(1, idleCheck().size());
    expectPassivate();

    assertEquals(List.of(), idleCheck(), "the same incarnation knows its snapshot");
    expectPassivate();
    kit.restart();
    assertEquals(List.of(), idleCheck(), "a recovered one knows the snapshot it read");
    expectPassivate();
    assertEquals(List.of(3L), snapshotSeqs());
  }

  @Test
  void aSessionWokenForAScheduledRunStaysUntilTheRunThenPassivates() {
    createSession();
    write(2);
    // Its schedules wake it 10 s before a run, to stay up until 10 s after it (decision 0048).
    kit.runCommand(new SessionCommand.Wake(clock.millis() + 20_000));

    assertEquals(List.of(), idleCheck(), "held awake: no marker");
    expectNoPassivate();
    clock.advance(Duration.ofSeconds(19));
    assertEquals(List.of(), idleCheck());
    expectNoPassivate();

    clock.advance(Duration.ofSeconds(1));
    assertEquals(1, idleCheck().size(), "the hold is over: it passivates as any idle session");
    expectPassivate();
  }

  @Test
  void aWakeThatLandsWhilePassivatingKeepsTheSessionUp() {
    createSession();
    write(2);
    assertEquals(1, idleCheck().size());
    expectPassivate(); // through a probe: the entity itself is still here
    kit.runCommand(new SessionCommand.Wake(clock.millis() + 20_000));

    kit.runCommand(new InternalCommand.ReadyToPassivate(3));
    expectNoPassivate();
  }

  @Test
  void aWakeForASessionThatDoesNotExistHoldsNothing() {
    kit.runCommand(new SessionCommand.Wake(clock.millis() + 20_000));
    assertEquals(SessionPhase.NEW, kit.getState().phase());
    assertEquals(List.of(), idleCheck());
    expectPassivate();
  }

  @Test
  void aSessionWithWorkInFlightNeitherSnapshotsNorPassivates() {
    createSession();
    run(r -> new SessionCommand.SendUserMessage(ADA, "hello", OnBusy.QUEUE, null, r));
    assertEquals(TurnStatus.RUNNING, kit.getState().activeTurn().orElseThrow().status());

    assertEquals(List.of(), idleCheck());
    expectNoPassivate();
    assertEquals(List.of(), snapshotSeqs());
  }

  @Test
  void aSessionThatJournaledWhileItsSnapshotWasSavedStaysUp() {
    createSession();
    idleCheck();
    expectPassivate();
    write(3);

    // What the entity hears once a snapshot at 2 is saved, with event 3 journaled meanwhile.
    kit.runCommand(new InternalCommand.ReadyToPassivate(2));
    expectNoPassivate();
  }

  @Test
  void aFailedSnapshotStillPassivatesAndRecoveryReplaysTheEvents() {
    createSession();
    write(2);
    snapshots().failNextPersisted();

    assertEquals(1, idleCheck().size());
    expectPassivate();
    assertEquals(List.of(), snapshotSeqs());
    assertEquals(3, kit.restart().state().lastSeq());
  }

  @Test
  void aFailedSnapshotIsNotCountedAsWrittenSoTheNextPassivationSavesOne() {
    createSession();
    write(2);
    snapshots().failNextPersisted();
    assertEquals(1, idleCheck().size());
    expectPassivate();
    assertEquals(List.of(), snapshotSeqs());

    // Still up (say, a command came meanwhile): the next idle time tries again.
    assertEquals(1, idleCheck().size(), "the failed snapshot was not taken for a saved one");
    expectPassivate();
    assertEquals(List.of(4L), snapshotSeqs());
  }

  @Test
  void aPassivationSnapshotReplacesTheOneAnEarlierPassivationLeftSinceTheScheduledOne() {
    createSession();
    write(2);
    idleCheck(); // marker and snapshot at 3
    expectPassivate();
    write(4);
    idleCheck(); // at 5
    expectPassivate();
    assertEquals(List.of(5L), snapshotSeqs(), "the one at 3 is deleted before the session stops");

    for (int n = 6; n <= 11; n++) {
      write(n); // Pekko's scheduled snapshot at 10
    }
    idleCheck(); // at 12
    expectPassivate();
    assertEquals(
        List.of(5L, 10L, 12L), snapshotSeqs(), "scheduled snapshots are left to Pekko's retention");
    assertTrue(kit.getState().exists());
    assertInstanceOf(SessionReply.ViewStream.class, run(r -> new GetSession(ADA, r)).reply());
  }
}
