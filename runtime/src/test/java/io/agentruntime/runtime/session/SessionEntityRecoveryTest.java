package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.FakeModel.call;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.SessionEvent.InDoubtResolved;
import io.agentruntime.runtime.session.SessionEvent.ToolCallFailed;
import io.agentruntime.runtime.session.SessionEvent.ToolCallInDoubt;
import io.agentruntime.runtime.session.SessionEvent.ToolCallStarted;
import io.agentruntime.runtime.session.SessionEvent.ToolCallSucceeded;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The entity stops (a crash, a move to another node) at every point of a turn and comes back from
 * its journal: it goes on by itself, never runs a tool with side effects twice silently, and keeps
 * its deadlines.
 */
class SessionEntityRecoveryTest extends AgentLoopTestSupport {

  private Turn turn;

  @BeforeEach
  void created() {
    create();
    turn = send("go");
  }

  /** Stops the entity and starts it again; returns once it has acted on where its work stood. */
  private void crashAndRecover() {
    restartAndCheck();
  }

  private ToolCallStarted startTool(String tool) {
    model.call(1).callTools(call("c1", tool, "{\"amount\":5}"));
    settled();
    ToolCallStarted started = only(ToolCallStarted.class, newEvents());
    assertEquals(started.idempotencyKey(), tools.invocation(1).key());
    return started;
  }

  @Test
  void awaitingTheModelItAsksTheModelAgain() {
    crashAndRecover();

    assertEquals(2, model.callCount());
    assertEquals(model.calls().get(0).conversation(), model.call(2).conversation());
    assertTrue(newEvents().isEmpty(), "asking again journals nothing");
    model.calls().get(0).answer("from before the crash");
    model.call(2).answer("after the crash");
    settled();
    assertEquals("after the crash", turn(turn.id()).output());
  }

  @Test
  void aRunningCallOfAnIdempotentToolIsCalledAgainWithTheSameKey() {
    ToolCallStarted started = startTool("lookup");

    crashAndRecover();

    assertTrue(newEvents().isEmpty(), "no doubt about an idempotent tool");
    FakeTools.Invocation again = tools.invocation(2);
    assertEquals(started.idempotencyKey(), again.key());
    assertEquals(started.arguments(), again.arguments());
    again.succeed(json("{\"ok\":true}"));
    settled();
    assertEquals(
        List.of(new ToolCallSucceeded(turn.id(), "c1", json("{\"ok\":true}"), Fixtures.T0)),
        newEvents());
    assertEquals(2, model.callCount());
  }

  private ToolCallInDoubt inDoubtAfterACrash(String tool) {
    startTool(tool);
    Instant at = clock.advance(Duration.ofSeconds(30));
    crashAndRecover();
    List<SessionEvent> events = newEvents();
    assertEquals(List.of("tool_call_in_doubt"), types(events));
    ToolCallInDoubt doubt = only(ToolCallInDoubt.class, events);
    assertEquals(
        new ToolCallInDoubt(
            turn.id(),
            "c1",
            doubt.approvalId(),
            at.plus(TURNS.approvalTimeout()),
            at,
            TurnMachine.CUT_OFF,
            Approval.ON_EXPIRY_DENY),
        doubt);
    assertEquals(
        1, tools.invocations().size(), "a tool with side effects is never run again by itself");
    return doubt;
  }

  @Test
  void recoveryGoesByTheToolAsItWasWhenTheCallStartedNotAsItIsConnectedNow() {
    startTool("charge_card");
    // Review finding 4, scenario d: the tool is declared idempotent while its call runs.
    run(r -> new SessionCommand.ConnectTool(Fixtures.OPERATOR, http("charge_card", true), r));
    assertEquals(List.of("tool_connected"), types(newEvents()));

    crashAndRecover();

    assertEquals(List.of("tool_call_in_doubt"), types(newEvents()));
    assertEquals(1, tools.invocations().size(), "never run again by itself");
  }

  @Test
  void aRunningCallOfAToolWithSideEffectsIsPutInDoubtForAHuman() {
    ToolCallInDoubt doubt = inDoubtAfterACrash("charge_card");

    List<Approval> pending = pendingApprovals();
    assertEquals(1, pending.size());
    Approval question = pending.get(0);
    assertEquals(doubt.approvalId(), question.id());
    assertEquals(Approval.IN_DOUBT, question.reason());
    assertEquals("charge_card", question.tool());
    assertEquals(json("{\"amount\":5}"), question.arguments());
    assertEquals(TurnStatus.AWAITING_APPROVAL, turn(turn.id()).status());
    TranscriptEntry last = kit.getState().transcript().get(kit.getState().transcript().size() - 1);
    assertEquals("in_doubt", last.outcome());
    assertEquals(1, model.callCount(), "the model waits for the call's outcome");
  }

  @Test
  void retryingAnInDoubtCallRunsItAgainWithTheSameKey() {
    ToolCallInDoubt doubt = inDoubtAfterACrash("charge_card");
    String key = tools.invocation(1).key();

    assertEquals("resolved:retry", decided(doubt.approvalId(), "retry").status());

    List<SessionEvent> events = newEvents();
    assertEquals(List.of("in_doubt_resolved", "tool_call_started"), types(events));
    assertEquals(key, only(ToolCallStarted.class, events).idempotencyKey());
    assertEquals(key, tools.invocation(2).key());
    assertEquals(TurnStatus.RUNNING, turn(turn.id()).status());
    tools.invocation(2).succeed(json("{\"charged\":5}"));
    settled();
    assertEquals(
        List.of(
            "user: go",
            "assistant calls [c1 charge_card {\"amount\":5}]",
            "tool c1: {\"charged\":5}"),
        model.call(2).conversation());
  }

  @Test
  void failingAnInDoubtCallGivesItAFailureAndTheTurnGoesOn() {
    ToolCallInDoubt doubt = inDoubtAfterACrash("charge_card");

    decided(doubt.approvalId(), "fail");

    List<SessionEvent> events = newEvents();
    assertEquals(
        new InDoubtResolved(doubt.approvalId(), "fail", "ada", "checked", clock.instant()),
        events.get(0));
    assertEquals("in_doubt", only(ToolCallFailed.class, events).code());
    assertEquals(1, tools.invocations().size());
    String outcome = model.call(2).conversation().get(2);
    assertTrue(outcome.startsWith("tool c1: error (in_doubt)"), outcome);
  }

  @Test
  void aHumanMaySupplyTheResultOfAnInDoubtCall() {
    ToolCallInDoubt doubt = inDoubtAfterACrash("files__search");
    assertProblem(
        refused(
            r ->
                new SessionCommand.DecideApproval(
                    ADA_APPROVER, doubt.approvalId(), "result", null, null, r)),
        Problem.Kind.INVALID,
        "invalid_field",
        "result");
    for (String policyDecision : List.of("approve", "deny")) {
      assertProblem(
          refused(
              r ->
                  new SessionCommand.DecideApproval(
                      ADA_APPROVER, doubt.approvalId(), policyDecision, null, null, r)),
          Problem.Kind.INVALID,
          "invalid_field",
          "decision");
    }

    decide(ADA_APPROVER, doubt.approvalId(), "result", json("{\"hits\":[\"a.txt\"]}"));

    List<SessionEvent> events = newEvents();
    assertEquals(List.of("in_doubt_resolved", "tool_call_succeeded"), types(events));
    assertEquals(json("{\"hits\":[\"a.txt\"]}"), only(ToolCallSucceeded.class, events).result());
    assertEquals("tool c1: {\"hits\":[\"a.txt\"]}", model.call(2).conversation().get(2));
  }

  @Test
  void anInDoubtCallNobodyResolvesFailsAtTheDeadline() {
    ToolCallInDoubt doubt = inDoubtAfterACrash("charge_card");
    clock.advance(TURNS.approvalTimeout());

    var expired = kit.runCommand(new InternalCommand.ApprovalDeadlinePassed(doubt.approvalId()));

    assertEquals(List.of("approval_expired", "tool_call_failed"), types(expired.events()));
    assertEquals("in_doubt_expired", only(ToolCallFailed.class, expired.events()).code());
    assertEquals(2, model.callCount());
  }

  @Test
  void anInDoubtCallStaysInDoubtThroughFurtherRestartsAndARetryCutOffAgainAsksAgain() {
    ToolCallInDoubt first = inDoubtAfterACrash("charge_card");
    crashAndRecover();
    assertTrue(newEvents().isEmpty(), "still the same question");
    assertEquals(
        List.of(first.approvalId()), pendingApprovals().stream().map(Approval::id).toList());

    decided(first.approvalId(), "retry");
    newEvents();
    crashAndRecover();

    ToolCallInDoubt second = only(ToolCallInDoubt.class, newEvents());
    assertNotEquals(first.approvalId(), second.approvalId());
    assertEquals(
        2, tools.invocations().size(), "run once before each crash, never by itself after one");
    decided(second.approvalId(), "retry");
    assertEquals(tools.invocations().get(0).key(), tools.invocation(3).key());
  }

  @Test
  void ofOneStepTheIdempotentCallRunsAgainAndTheOtherIsPutInDoubt() {
    model.call(1).callTools(call("c1", "lookup", "{}"), call("c2", "charge_card", "{}"));
    settled();
    newEvents();

    crashAndRecover();

    assertEquals("c2", only(ToolCallInDoubt.class, newEvents()).toolCallId());
    assertEquals(
        List.of("lookup", "charge_card", "lookup"),
        tools.invocations().stream().map(FakeTools.Invocation::tool).toList());
    assertEquals(tools.invocation(3).key(), tools.invocations().get(0).key());
  }

  @Test
  void anApprovalAwaitedBeforeTheRestartCanBeDecidedAfterIt() {
    model.call(1).callTools(call("e1", "send_email", "{\"to\":\"bob@example.com\"}"));
    settled();
    Approval asked = pendingApprovals().get(0);
    newEvents();

    crashAndRecover();

    assertTrue(newEvents().isEmpty());
    assertEquals(List.of(asked), pendingApprovals());
    decided(asked.id(), "approve");
    assertEquals(json("{\"to\":\"bob@example.com\"}"), tools.of("send_email").arguments());
  }

  @Test
  void anApprovalWhoseDeadlinePassedWhileTheSessionWasDownExpiresAtOnce() {
    model.call(1).callTools(call("e1", "send_email", "{}"));
    settled();
    newEvents();
    kit.restart();
    clock.advance(TURNS.approvalTimeout().plusMinutes(1));

    // The new incarnation arms its timer from the journaled deadline, already passed.
    kit.restart();
    awaitState(s -> s.pendingApprovals().isEmpty());

    assertEquals(List.of("approval_expired", "tool_call_rejected"), types(newEvents()));
    settled();
    assertEquals(2, model.callCount(), "the model hears of the rejection");
  }

  @Test
  void aTurnWhoseTimeRanOutWhileTheSessionWasDownFailsAtOnce() {
    clock.advance(Duration.ofSeconds(601));

    kit.restart();
    awaitState(s -> s.turn(turn.id()).orElseThrow().status() == TurnStatus.FAILED);

    assertEquals("turn_timeout", turn(turn.id()).error().code());
  }

  @Test
  void queuedTurnsSurviveARestartAndStartInOrder() {
    Turn second = send("second");
    crashAndRecover();

    model.call(2).answer("first done");
    settled();

    assertEquals(TurnStatus.RUNNING, turn(second.id()).status());
    assertEquals("user: second", model.call(3).conversation().get(2));
  }
}
