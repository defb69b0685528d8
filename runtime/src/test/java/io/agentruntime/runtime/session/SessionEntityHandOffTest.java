package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.FakeModel.call;
import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.TENANT;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.metrics.SessionMetrics;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.session.SessionEvent.ToolCallSucceeded;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.Test;

/**
 * Sharding's stop message when the session moves to another node: the session starts nothing new,
 * lets its tool calls in flight land and journals their outcomes, then stops; by the hand-off
 * timeout at the latest.
 */
class SessionEntityHandOffTest extends AgentLoopTestSupport {

  SessionEntityHandOffTest() {
    super("agent-runtime.session.handoff-timeout = 1s");
  }

  private String entityId;
  private ActorRef<SessionCommand> entity;

  /** A session of its own (a plain actor, to watch it stop) whose turn runs charge_card. */
  private TestProbe<SessionReply> sessionCallingATool() {
    entityId = SessionEntity.entityId(TENANT, "handoff-" + sessionId);
    entity =
        testKit.spawn(
            SessionEntity.create(
                entityId,
                new SessionRuntime(
                    settings, turnSettings(), directory, model, tools, clock, SessionMetrics.NONE),
                null));
    TestProbe<SessionReply> replies = testKit.createTestProbe();
    entity.tell(
        new SessionCommand.CreateSession(
            ADA, loopSpec(new Limits(8, 600, 0, null)), CreateMode.CREATE_NEW, replies.ref()));
    replies.expectMessageClass(SessionReply.Created.class);
    entity.tell(new SessionCommand.SendUserMessage(ADA, "go", OnBusy.QUEUE, null, replies.ref()));
    replies.expectMessageClass(SessionReply.TurnAccepted.class);
    model.call(1).callTools(call("c1", "charge_card", "{\"amount\":5}"));
    replies.awaitAssert(() -> tools.invocation(1));
    return replies;
  }

  private List<SessionEvent> journalOf(String id) {
    return kit
        .persistenceTestKit()
        .persistedInStorage(PersistenceId.of(SessionEntity.TYPE_KEY.name(), id).id())
        .stream()
        .map(e -> (SessionEvent) e)
        .toList();
  }

  @Test
  void aMovingSessionLetsItsCallInFlightLandThenStops() {
    TestProbe<SessionReply> replies = sessionCallingATool();
    TestProbe<Object> watcher = testKit.createTestProbe();

    entity.tell(new InternalCommand.HandOff());
    entity.tell(new SessionCommand.GetSession(ADA, replies.ref()));
    replies.expectMessageClass(SessionReply.ViewStream.class); // still there while the call runs
    tools.invocation(1).succeed(json("{\"charged\":5}"));

    watcher.expectTerminated(entity, Duration.ofSeconds(5));
    List<SessionEvent> journal = journalOf(entityId);
    assertTrue(
        journal.get(journal.size() - 1) instanceof ToolCallSucceeded,
        "the call's outcome is journaled last: " + journal);
    assertEquals(1, model.callCount(), "the model is asked on the next node, not here");
    assertEquals(1, tools.invocations().size());
  }

  @Test
  void aMovingSessionWaitsForItsCallsNoLongerThanTheHandOffTimeout() {
    TestProbe<SessionReply> replies = sessionCallingATool();
    TestProbe<Object> watcher = testKit.createTestProbe();
    int journaled = journalOf(entityId).size();

    entity.tell(new InternalCommand.HandOff());
    replies.expectNoMessage(Duration.ofMillis(300));
    entity.tell(new SessionCommand.GetSession(ADA, replies.ref()));
    replies.expectMessageClass(SessionReply.ViewStream.class); // it waits for the call

    watcher.expectTerminated(entity, Duration.ofSeconds(5)); // handoff-timeout: 1 s
    assertEquals(journaled, journalOf(entityId).size(), "nothing journaled for the open call");
  }

  @Test
  void anIdleSessionStopsAtOnce() {
    entityId = SessionEntity.entityId(TENANT, "idle-" + sessionId);
    entity =
        testKit.spawn(
            SessionEntity.create(
                entityId,
                new SessionRuntime(
                    settings, turnSettings(), directory, model, tools, clock, SessionMetrics.NONE),
                null));
    TestProbe<Object> watcher = testKit.createTestProbe();

    entity.tell(new InternalCommand.HandOff());

    watcher.expectTerminated(entity, Duration.ofMillis(500));
  }
}
