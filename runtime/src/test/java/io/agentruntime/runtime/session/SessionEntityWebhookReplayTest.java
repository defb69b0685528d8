package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.FakeModel.call;
import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A change journaled whose hand-off to the webhook outbox was lost (the node died before the outbox
 * answered) is offered again by the session's next recovery under the same event id, also when the
 * recovered state no longer shows it: the idle of a turn another followed at once, an approval
 * already decided, the end of an earlier turn (decision 0027, addendum of issue 14).
 */
class SessionEntityWebhookReplayTest extends AgentLoopTestSupport {

  /** What the session handed over, and whether as a change offered again. */
  private record Handed(LifecycleNotice notice, boolean again) {}

  /**
   * The outbox as the session sees it: it takes hand-offs and never answers (none is confirmed, as
   * when the node dies before the outbox took them).
   */
  private final List<Handed> handed = new CopyOnWriteArrayList<>();

  private volatile boolean listening = true;

  @Override
  LifecycleFeed lifecycle() {
    return new LifecycleFeed() {
      @Override
      public void notice(String tenant, LifecycleNotice notice) {
        handed.add(new Handed(notice, false));
      }

      @Override
      public void again(String tenant, LifecycleNotice notice) {
        handed.add(new Handed(notice, true));
      }

      @Override
      public boolean mayListen(String tenant) {
        return listening;
      }
    };
  }

  /**
   * t1 ends and nobody waits; t2 asks to send an email, a human denies it, t2 ends; t3 runs. The
   * state after shows t3 running and nothing of t1's idle or t2's approval.
   */
  private void threeTurns() {
    create();
    send("first");
    model.call(1).answer("one");
    settled();
    send("mail bob");
    model.call(2).callTools(call("e1", "send_email", "{\"to\":\"bob@example.com\"}"));
    settled();
    String approval = pendingApprovals().get(0).id();
    decided(approval, "deny");
    model.call(3).answer("not sent");
    settled();
    send("and now?");
    settled();
  }

  /** The notice of {@code type} about turn {@code turnId} handed over live. */
  private LifecycleNotice live(String type, String turnId) {
    String markId =
        LifecycleNotices.eventId(
            SessionEntity.entityId(Fixtures.TENANT, sessionId),
            new LifecycleNotices.Mark(type, turnId));
    return handed.stream()
        .map(Handed::notice)
        .filter(n -> n.sessionId().equals(sessionId) && n.type().equals(type))
        .filter(n -> n.data() == null ? n.eventId().equals(markId) : turnId.equals(turnOf(n)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " of " + turnId + " in " + handed));
  }

  private static String turnOf(LifecycleNotice n) {
    return n.data().has("turnId") ? n.data().get("turnId").asText() : null;
  }

  private List<LifecycleNotice> lostHandOffs() {
    String t1 = kit.getState().turns().get(0).id();
    String t2 = kit.getState().turns().get(1).id();
    return List.of(
        live(LifecycleNotice.IDLE, t1),
        live(LifecycleNotice.TURN_COMPLETED, t1),
        live(LifecycleNotice.APPROVAL_REQUESTED, t2),
        live(LifecycleNotice.APPROVAL_DECIDED, t2),
        live(LifecycleNotice.IDLE, t2),
        live(LifecycleNotice.TURN_COMPLETED, t2));
  }

  @Test
  void changesTheStateNoLongerShowsAreOfferedAgainAfterANewIncarnationUnderTheirIds() {
    threeTurns();
    List<LifecycleNotice> lost = lostHandOffs();
    SessionState now = kit.getState();
    String entityId = SessionEntity.entityId(Fixtures.TENANT, sessionId);
    List<String> shown = new ArrayList<>();
    LifecycleNotices.recovered(entityId, sessionId, now).forEach(n -> shown.add(n.eventId()));
    OwnEventNotices.recovered(entityId, sessionId, now).forEach(n -> shown.add(n.eventId()));
    for (LifecycleNotice n : lost) {
      assertFalse(shown.contains(n.eventId()), n.type() + " is what the state no longer shows");
    }

    handed.clear(); // the outbox never answered: none of them was taken
    kit.restart();
    settled();

    for (LifecycleNotice n : lost) {
      Optional<Handed> again =
          handed.stream().filter(h -> h.notice().eventId().equals(n.eventId())).findFirst();
      assertTrue(again.isPresent(), n.type() + " offered again after the recovery");
      assertTrue(again.get().again(), n.type() + " as a change offered again");
      assertEquals(n.type(), again.get().notice().type());
      assertEquals(n.data(), again.get().notice().data(), n.type());
    }
    List<String> order = handed.stream().map(h -> h.notice().eventId()).toList();
    assertTrue(
        order.indexOf(lost.get(0).eventId()) < order.indexOf(lost.get(4).eventId()),
        "offered in the order they were made: " + order);
    assertEquals(order.size(), order.stream().distinct().count(), "each once: " + order);
  }

  @Test
  void aRestartInPlaceOffersThemAgainToo() {
    threeTurns();
    List<LifecycleNotice> lost = lostHandOffs();
    handed.clear();
    kit.persistenceTestKit().failNextPersisted(persistenceId());
    var asker = testKit.<SessionReply>createTestProbe();
    kit.runCommand(new SessionCommand.WriteMemory(ADA, "x", json("1"), asker.ref()));
    asker.expectNoMessage(Duration.ofMillis(300));
    awaitState(s -> handed.size() >= lost.size());
    List<String> again =
        handed.stream().filter(Handed::again).map(h -> h.notice().eventId()).toList();
    for (LifecycleNotice n : lost) {
      assertTrue(again.contains(n.eventId()), n.type() + " offered again: " + handed);
    }
    assertFalse(kit.getState().memory().containsKey("x"), "the failed write is no change");
  }

  @Test
  void aTenantNobodyListensToIsOfferedOnlyWhatTheStateShowsAsBefore() {
    threeTurns();
    listening = false;
    handed.clear();
    kit.restart();
    settled();
    assertTrue(handed.stream().noneMatch(Handed::again), () -> "derived for nobody: " + handed);
    assertFalse(handed.isEmpty(), "what the state shows goes out as before");
  }
}
