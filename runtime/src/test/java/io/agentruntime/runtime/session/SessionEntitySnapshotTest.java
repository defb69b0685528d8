package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.SessionCommand.GetSession;
import io.agentruntime.runtime.session.SessionCommand.WriteMemory;
import java.util.List;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.testkit.SnapshotMeta;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.Test;

/** With a snapshot every 3 events, keeping 2: what is stored, and that recovery uses it. */
class SessionEntitySnapshotTest extends SessionEntityTestSupport {

  SessionEntitySnapshotTest() {
    super(
        "agent-runtime.session { snapshot-every = 3, keep-snapshots = 2, max-memory-entries = 20 }");
  }

  private SnapshotTestKit snapshots() {
    return kit.snapshotTestKit().orElseThrow();
  }

  private List<Long> snapshotSeqs() {
    return snapshots().persistedInStorage(persistenceId()).stream()
        .map(p -> p.first().sequenceNr())
        .toList();
  }

  private SessionState write(int n) {
    return run(r -> new WriteMemory(ADA, "k" + n, json(Integer.toString(n)), r)).state();
  }

  @Test
  void theThirdEventIsFollowedByASnapshotOfTheState() {
    createSession();
    write(2);
    assertTrue(snapshotSeqs().isEmpty());

    SessionState third = write(3);

    List<Pair<SnapshotMeta, Object>> stored = snapshots().persistedInStorage(persistenceId());
    assertEquals(1, stored.size());
    assertEquals(3, stored.get(0).first().sequenceNr());
    assertEquals(third, ((SessionSnapshot) stored.get(0).second()).toState());
    assertEquals(3, third.lastSeq());
  }

  @Test
  void onlyTheLastTwoSnapshotsAreKept() {
    createSession();
    for (int n = 2; n <= 9; n++) {
      write(n);
    }
    // Older snapshots are deleted after the newest is stored, asynchronously.
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(List.of(6L, 9L), snapshotSeqs());
              return null;
            });
  }

  @Test
  void theSnapshotAloneRebuildsTheSessionAndNumberingGoesOn() {
    createSession();
    write(2);
    SessionState atSnapshot = write(3);

    // Only the snapshot is left to recover from: the events it covers are gone from the journal.
    kit.persistenceTestKit().clearByIdPreservingSeqNumbers(persistenceId());
    assertTrue(kit.persistenceTestKit().persistedInStorage(persistenceId()).isEmpty());

    assertEquals(atSnapshot, kit.restart().state());
    SessionState fourth = write(4);
    assertEquals(4, fourth.lastSeq());
    assertEquals(4, current(run(r -> new GetSession(ADA, r)).reply()).lastSeq());
  }

  @Test
  void aSnapshotStoredAsAWholeStateBeforeSnapshotFormsStillRebuildsTheSession() {
    createSession();
    write(2);
    SessionState atSnapshot = write(3);

    // What a node before the snapshot form stored: the state itself.
    snapshots().clearByPersistenceId(persistenceId());
    snapshots()
        .persistForRecovery(
            persistenceId(), List.of(Pair.create(new SnapshotMeta(3, 0), atSnapshot)));
    kit.persistenceTestKit().clearByIdPreservingSeqNumbers(persistenceId());

    assertEquals(atSnapshot, kit.restart().state());
    assertEquals(4, write(4).lastSeq());
  }
}
