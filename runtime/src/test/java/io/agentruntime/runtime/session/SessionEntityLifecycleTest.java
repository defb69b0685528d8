package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A session hands its lifecycle changes to the webhooks' feed once journaled, and announces them
 * again, under the same event ids, whenever it starts from its journal: after a restart in place (a
 * failed write) and in a new incarnation (a crash, a move). A change the outbox missed because the
 * node died is so handed over again; the outbox keeps each id once.
 */
class SessionEntityLifecycleTest extends AgentLoopTestSupport {

  private final List<LifecycleNotice> handed = new CopyOnWriteArrayList<>();

  @Override
  LifecycleFeed lifecycle() {
    return (tenant, notice) -> {
      assertEquals(Fixtures.TENANT, tenant);
      handed.add(notice);
    };
  }

  private void oneTurnToIdle() {
    create();
    send("hi");
    model.call(1).answer("hello");
    settled();
  }

  @Test
  void aTurnAnnouncesCreatedInProgressIdleAndItsCompletionOnceEach() {
    oneTurnToIdle();
    assertEquals(
        List.of(
            LifecycleNotice.CREATED,
            LifecycleNotice.IN_PROGRESS,
            LifecycleNotice.IDLE,
            LifecycleNotice.TURN_COMPLETED),
        mine().stream().map(LifecycleNotice::type).toList());
  }

  @Test
  void aNewIncarnationAnnouncesTheSameChangesAgainUnderTheSameIds() {
    oneTurnToIdle();
    List<String> live = ids();
    handed.clear();
    kit.restart();
    settled();
    assertEquals(live, ids());
  }

  @Test
  void aRestartInPlaceAnnouncesTheSameChangesAgainUnderTheSameIds() {
    oneTurnToIdle();
    List<String> live = ids();
    handed.clear();
    kit.persistenceTestKit().failNextPersisted(persistenceId());
    var asker = testKit.<SessionReply>createTestProbe();
    kit.runCommand(new SessionCommand.WriteMemory(ADA, "x", json("1"), asker.ref()));
    asker.expectNoMessage(Duration.ofMillis(300));
    assertFalse(kit.getState().memory().containsKey("x"));
    awaitState(s -> mine().size() >= 3);
    assertEquals(live, ids());
  }

  /** What this test's session handed over (the test instance may outlive one session). */
  private List<LifecycleNotice> mine() {
    return handed.stream().filter(n -> n.sessionId().equals(sessionId)).toList();
  }

  private List<String> ids() {
    return mine().stream().map(LifecycleNotice::eventId).toList();
  }
}
