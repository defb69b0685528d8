package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.FakeModel.call;
import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A failed journal write restarts the entity inside the same actor (Pekko's restart with backoff):
 * its timers are cancelled, objects built around the behavior survive. Every incarnation still
 * starts from the journal: deadlines are armed again, and the results of calls that were in flight
 * across the restart are journaled, never put in doubt or run twice.
 */
class SessionEntityRestartInPlaceTest extends AgentLoopTestSupport {

  private static final Duration APPROVAL = Duration.ofSeconds(2);

  @Override
  TurnSettings turnSettings() {
    return new TurnSettings(
        APPROVAL,
        TURNS.modelTimeout(),
        TURNS.toolTimeout(),
        TURNS.maxToolResultBytes(),
        TURNS.idleTimeout(),
        TURNS.contextTurns());
  }

  /** The next write fails: the entity restarts in place and has recovered when this returns. */
  private void failAWriteAndRestartInPlace() {
    kit.persistenceTestKit().failNextPersisted(persistenceId());
    var asker = testKit.<SessionReply>createTestProbe();
    kit.runCommand(new SessionCommand.WriteMemory(ADA, "x", json("1"), asker.ref()));
    asker.expectNoMessage(Duration.ofMillis(300));
    assertFalse(kit.getState().memory().containsKey("x"), "the failed write changed nothing");
  }

  private void startCall(String tool) {
    create();
    send("go");
    model.call(1).callTools(call("c1", tool, "{\"amount\":5}"));
    settled();
    assertEquals(1, tools.invocations().size());
    newEvents();
  }

  @Test
  void anApprovalStillExpiresAfterARestartInPlace() {
    create();
    send("go");
    model.call(1).callTools(call("c1", "send_email", "{\"to\":\"bob\"}"));
    settled();
    assertEquals(1, pendingApprovals().size());

    failAWriteAndRestartInPlace();
    clock.advance(APPROVAL);

    awaitState(s -> s.pendingApprovals().isEmpty());
    assertEquals(0, tools.invocations().size(), "an expired approval runs nothing");
    assertEquals(2, model.callCount(), "the turn goes on: the model hears of the expiry");
  }

  @Test
  void aCallInFlightAcrossARestartInPlaceIsJournaledWhenItLands() {
    startCall("charge_card");

    failAWriteAndRestartInPlace();
    assertEquals(List.of(), types(newEvents()), "nothing in doubt: the call still runs here");
    assertTrue(pendingApprovals().isEmpty());

    tools.invocation(1).succeed(json("{\"charged\":5}"));
    settled();
    assertEquals(List.of("tool_call_succeeded"), types(newEvents()));
    assertEquals(1, tools.invocations().size(), "called once");
    assertEquals(2, model.callCount());
  }

  @Test
  void anIdempotentCallInFlightAcrossARestartInPlaceIsNotCalledAgain() {
    startCall("lookup");

    failAWriteAndRestartInPlace();
    settled();
    assertEquals(1, tools.invocations().size(), "the call in flight is not repeated");

    tools.invocation(1).succeed(json("{\"found\":1}"));
    settled();
    assertEquals(List.of("tool_call_succeeded"), types(newEvents()));
  }

  @Test
  void aResultWhoseWriteFailedIsJournaledByTheNextIncarnation() {
    startCall("charge_card");

    kit.persistenceTestKit().failNextPersisted(persistenceId());
    tools.invocation(1).succeed(json("{\"charged\":5}"));

    awaitState(s -> s.pendingCalls().isEmpty());
    assertEquals(List.of("tool_call_succeeded"), types(newEvents()), "not in doubt: it landed");
    assertEquals(1, tools.invocations().size());
    assertEquals(2, model.callCount());
  }

  @Test
  void aWaitingAskerIsStillAnsweredByItsDeadlineAfterARestartInPlace() {
    create();
    Turn turn = send("go");
    var waiting = testKit.<SessionReply>createTestProbe();
    kit.runCommand(
        new SessionCommand.AwaitTurn(ADA, turn.id(), clock.millis() + 1_500, waiting.ref()));

    failAWriteAndRestartInPlace();

    Turn asItStands =
        assertInstanceOf(
                SessionReply.TurnFound.class, waiting.receiveMessage(Duration.ofSeconds(5)))
            .turn();
    assertEquals(TurnStatus.RUNNING, asItStands.status());
  }

  @Test
  void aQueuedMessageRunsAfterARestartInPlace() {
    create();
    Turn first = send("first");
    Turn second = send("second");
    assertEquals(TurnStatus.QUEUED, second.status());

    failAWriteAndRestartInPlace();
    model.call(1).answer("one");
    settled();

    assertEquals(TurnStatus.COMPLETED, turn(first.id()).status());
    assertEquals(TurnStatus.RUNNING, turn(second.id()).status());
    assertEquals(2, model.callCount(), "the queued message's turn asks the model");
  }

  @Test
  void aTurnDeadlineStillEndsTheTurnAfterARestartInPlace() {
    create(new Limits(8, 2, 0, null));
    Turn turn = send("go");

    failAWriteAndRestartInPlace();
    clock.advance(Duration.ofSeconds(2));

    awaitState(s -> s.turn(turn.id()).orElseThrow().status().terminal());
  }
}
