package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A recovery replays only the events after the newest snapshot: what the snapshot itself shows is
 * offered again first, so a change whose hand-off was cut off by a crash just after the snapshot
 * was taken is not hidden by it (decision 0027, addendum of issue 14). A snapshot every 5 events
 * lands on the first turn's end.
 */
class SessionEntityWebhookReplaySnapshotTest extends AgentLoopTestSupport {

  private final List<LifecycleNotice> again = new CopyOnWriteArrayList<>();

  SessionEntityWebhookReplaySnapshotTest() {
    super("agent-runtime.session { snapshot-every = 5, keep-snapshots = 2 }");
  }

  @Override
  LifecycleFeed lifecycle() {
    return new LifecycleFeed() {
      @Override
      public void notice(String tenant, LifecycleNotice notice) {}

      @Override
      public void again(String tenant, LifecycleNotice notice) {
        again.add(notice);
      }
    };
  }

  @Test
  void theIdleASnapshotShowsIsOfferedAgainThoughTheReplayStartsAfterIt() {
    create();
    send("first");
    model.call(1).answer("one");
    settled();
    String first = kit.getState().turns().get(0).id();
    assertEquals(5, kit.getState().lastSeq(), "the first turn ends at the snapshot");
    send("second"); // starts at once: the state after shows no idle
    settled();
    List<Long> snapshots =
        kit.snapshotTestKit().orElseThrow().persistedInStorage(persistenceId()).stream()
            .map(p -> p.first().sequenceNr())
            .toList();
    assertEquals(List.of(5L), snapshots);

    kit.restart();
    settled();

    String idleOfFirst =
        LifecycleNotices.eventId(
            SessionEntity.entityId(Fixtures.TENANT, sessionId),
            new LifecycleNotices.Mark(LifecycleNotice.IDLE, first));
    assertTrue(
        again.stream().anyMatch(n -> n.eventId().equals(idleOfFirst)),
        () -> "the snapshot's idle offered again: " + again);
  }
}
