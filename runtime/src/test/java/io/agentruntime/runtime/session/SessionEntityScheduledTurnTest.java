package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A turn a schedule's firing started goes after the node's firings (decision 0064): its message is
 * journaled at once, its first model call waits while a firing of the node waits for the gate (here
 * a gate of one, held by a probe standing for the schedule entities). Meanwhile the turn runs as
 * far as a user can tell, a user's message queues behind it as behind any running turn, and a
 * restart does not lose it.
 */
class SessionEntityScheduledTurnTest extends AgentLoopTestSupport {

  SessionEntityScheduledTurnTest() {
    super(
        "agent-runtime.schedules.max-firings-in-flight = 1\n"
            + "agent-runtime.schedules.hold-behind-firings = 30s\n");
  }

  private ActorRef<FiringGate.Command> gate;
  private TestProbe<ScheduleEntity.Command> schedules;

  @BeforeEach
  void created() {
    create();
    gate = FiringGate.of(testKit.system());
    schedules = testKit.createTestProbe();
  }

  /** The node's gate outlives a test: what a test left in it goes. */
  @org.junit.jupiter.api.AfterEach
  void emptyTheGate() {
    leave("a");
    leave("b");
  }

  /** Firing {@code id} of the probe enters the gate; {@code admitted}: it goes now. */
  private void enter(String id, boolean admitted) {
    gate.tell(new FiringGate.Enter(schedules.getRef(), id));
    if (admitted) {
      assertEquals(new ScheduleEntity.Admitted(id), schedules.receiveMessage());
    } else {
      schedules.expectNoMessage(Duration.ofMillis(100));
    }
  }

  private void leave(String id) {
    gate.tell(new FiringGate.Leave(schedules.getRef(), id));
  }

  private Turn fire(String turnId) {
    var result =
        run(
            r ->
                new SessionCommand.SendUserMessage(
                    ADA,
                    "wake up",
                    OnBusy.QUEUE,
                    null,
                    turnId,
                    0,
                    r,
                    SessionEvent.UserMessageAccepted.SCHEDULE));
    sent = result.events();
    newEvents();
    return assertInstanceOf(SessionReply.TurnAccepted.class, result.reply()).turn();
  }

  private void awaitModelCalls(int n) {
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(10),
            () -> {
              assertEquals(n, model.callCount());
              return null;
            });
  }

  @Test
  void withNoFiringWaitingTheScheduledTurnCallsTheModelAtOnce() {
    enter("a", true); // in flight, none waiting: nothing is held

    Turn turn = fire("turn_sched_a_1");

    assertEquals(TurnStatus.RUNNING, turn.status());
    awaitModelCalls(1);
    model.call(1).answer("morning");
    settled();
    assertEquals(TurnStatus.COMPLETED, turn(turn.id()).status());
  }

  @Test
  void whileFiringsWaitTheTurnIsJournaledAndRunsButItsModelCallComesAfterThem() {
    enter("a", true);
    enter("b", false); // waits for a

    Turn turn = fire("turn_sched_a_1");

    assertEquals(TurnStatus.RUNNING, turn.status());
    assertEquals(
        java.util.List.of("user_message", "turn_started"),
        types(sent),
        "the message and the turn's start are journaled at once, nothing for the hold");
    schedules.expectNoMessage(Duration.ofMillis(300));
    assertEquals(0, model.callCount(), "the model is not asked while a firing waits");

    Turn mine = send("meanwhile");
    assertEquals(TurnStatus.QUEUED, mine.status(), "a user's message queues behind it");

    leave("a"); // b is let in: no firing waits any more
    assertEquals(new ScheduleEntity.Admitted("b"), schedules.receiveMessage());
    awaitModelCalls(1);
    assertTrue(model.call(1).conversation().contains("user: wake up"));
    model.call(1).answer("morning");
    settled();
    assertEquals(TurnStatus.COMPLETED, turn(turn.id()).status());
    assertEquals(TurnStatus.RUNNING, turn(mine.id()).status(), "the user's turn comes next");
    awaitModelCalls(2);
    assertTrue(types(newEvents()).contains("turn_completed"));
  }

  @Test
  void aHeldTurnThatRestartsRunsFromTheJournal() {
    enter("a", true);
    enter("b", false);
    Turn turn = fire("turn_sched_a_1");
    schedules.expectNoMessage(Duration.ofMillis(300));
    assertEquals(0, model.callCount());

    kit.restart(); // its message is journaled: the turn comes back and runs

    awaitModelCalls(1);
    model.call(1).answer("morning");
    settled();
    assertEquals(TurnStatus.COMPLETED, turn(turn.id()).status());
  }
}
