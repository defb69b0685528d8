package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.FakeModel.call;
import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.T0;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.SessionEvent.ToolCallCancelled;
import io.agentruntime.runtime.session.SessionEvent.TurnCancelled;
import io.agentruntime.runtime.session.SessionEvent.TurnEnding;
import io.agentruntime.runtime.session.SessionEvent.TurnStarted;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A session with a turn under way: cancelling it, and messages that arrive meanwhile (onBusy). */
class SessionEntityBusyTest extends AgentLoopTestSupport {

  @BeforeEach
  void created() {
    create();
  }

  private Turn cancel(String turnId) {
    return assertInstanceOf(
            SessionReply.TurnFound.class,
            run(r -> new SessionCommand.CancelTurn(ADA, turnId, r)).reply())
        .turn();
  }

  @Test
  void cancellingWhileTheModelThinksEndsTheTurnAndItsLateAnswerIsIgnored() {
    Turn turn = send("think hard");

    Turn cancelled = cancel(turn.id());

    assertEquals(TurnStatus.CANCELLED, cancelled.status());
    assertEquals(new TurnError("cancelled", "cancelled by ada"), cancelled.error());
    assertEquals(List.of(new TurnCancelled(turn.id(), "cancelled by ada", "ada", T0)), newEvents());
    model.call(1).answer("too late");
    settled();
    assertTrue(newEvents().isEmpty(), "a late answer is ignored");
    assertEquals(SessionStatus.IDLE, kit.getState().status());
  }

  /**
   * Decision 0016 changed this test: it pinned "every open call is cancelled, a late result is
   * ignored". A call awaiting approval was never sent and is still cancelled; the running call may
   * have reached its tool, so it goes in doubt, the turn waits, and the tool's late answer settles
   * the question and ends the turn as cancelled.
   */
  @Test
  void cancellingWhileAToolRunsCancelsWhatWasNeverSentAndPutsTheRunningCallInDoubt() {
    Turn turn = send("two calls");
    model.call(1).callTools(call("c1", "lookup", "{}"), call("e1", "send_email", "{}"));
    settled();
    String approvalId = pendingApprovals().get(0).id();
    newEvents();

    Turn cancelled = cancel(turn.id());

    List<SessionEvent> events = newEvents();
    assertEquals(
        List.of("tool_call_in_doubt", "tool_call_cancelled", "turn_ending"), types(events));
    assertEquals(
        List.of("e1"),
        all(ToolCallCancelled.class, events).stream().map(ToolCallCancelled::toolCallId).toList());
    assertEquals(TurnStatus.AWAITING_APPROVAL, cancelled.status());
    assertEquals(new TurnError("cancelled", "cancelled by ada"), cancelled.error());
    assertEquals(1, pendingApprovals().size(), "the policy approval is withdrawn, not the other");
    assertEquals(Approval.IN_DOUBT, pendingApprovals().get(0).reason());
    assertProblem(
        refused(
            r ->
                new SessionCommand.DecideApproval(
                    ADA_APPROVER, approvalId, "approve", null, null, r)),
        Problem.Kind.CONFLICT,
        "approval_decided",
        null);

    tools.of("lookup").succeed(json("{\"late\":true}"));
    settled();
    assertEquals(
        List.of("in_doubt_resolved", "tool_call_succeeded", "turn_cancelled"), types(newEvents()));
    assertTrue(pendingApprovals().isEmpty(), "the late answer settled the question");
    assertEquals(TurnStatus.CANCELLED, turn(turn.id()).status());
    assertEquals(1, model.callCount());
  }

  @Test
  void cancellingTheRunningTurnStartsTheNextQueuedOne() {
    Turn first = send("first");
    Turn second = send("second");

    cancel(first.id());

    assertEquals(
        List.of(
            new TurnCancelled(first.id(), "cancelled by ada", "ada", T0),
            new TurnStarted(second.id(), T0)),
        newEvents());
    assertEquals("user: second", model.call(2).conversation().get(1));
  }

  @Test
  void aQueuedTurnCanBeCancelledBeforeItStarts() {
    Turn first = send("first");
    Turn second = send("second");

    cancel(second.id());
    model.call(1).answer("one");
    settled();

    assertEquals(
        List.of("turn_cancelled", "assistant_message", "turn_completed"), types(newEvents()));
    assertEquals(TurnStatus.COMPLETED, turn(first.id()).status());
    assertEquals(1, model.callCount(), "the cancelled turn never runs");
  }

  @Test
  void anEndedOrUnknownTurnCannotBeCancelled() {
    Turn turn = send("hi");
    model.call(1).answer("hello");
    settled();
    assertProblem(
        refused(r -> new SessionCommand.CancelTurn(ADA, turn.id(), r)),
        Problem.Kind.CONFLICT,
        "turn_ended",
        null);
    assertProblem(
        refused(r -> new SessionCommand.CancelTurn(ADA, "turn_nope", r)),
        Problem.Kind.NOT_FOUND,
        "turn_not_found",
        "turnId");
    assertEquals(
        Problem.notFound(),
        refused(r -> new SessionCommand.CancelTurn(Fixtures.BOB, turn.id(), r)));
  }

  @Test
  void queuedTurnsStartOneAfterAnotherInTheOrderTheyCame() {
    Turn a = send("a");
    Turn b = send("b");
    Turn c = send("c");
    assertEquals(
        List.of(TurnStatus.RUNNING, TurnStatus.QUEUED, TurnStatus.QUEUED),
        List.of(a.status(), b.status(), c.status()));
    assertEquals(List.of("user_message"), types(sent));
    newEvents();

    model.call(1).answer("A");
    settled();
    assertEquals(
        List.of("assistant_message", "turn_completed", "turn_started"), types(newEvents()));
    assertEquals(TurnStatus.RUNNING, turn(b.id()).status());
    assertEquals(TurnStatus.QUEUED, turn(c.id()).status());

    model.call(2).answer("B");
    settled();
    model.call(3).answer("C");
    settled();

    assertEquals(
        List.of("A", "B", "C"),
        List.of(turn(a.id()).output(), turn(b.id()).output(), turn(c.id()).output()));
    assertEquals(
        List.of("user: a", "assistant: A", "user: b", "assistant: B", "user: c"),
        model.call(3).conversation());
  }

  @Test
  void rejectRefusesAMessageWhileATurnRunsAndStartsOneOnAnIdleSession() {
    Turn running = send("first", OnBusy.REJECT);
    assertEquals(TurnStatus.RUNNING, running.status());

    Problem busy =
        refused(r -> new SessionCommand.SendUserMessage(ADA, "second", OnBusy.REJECT, null, r));

    assertProblem(busy, Problem.Kind.CONFLICT, "session_busy", null);
    assertTrue(busy.message().contains(running.id()), busy::message);
  }

  /**
   * Decision 0016 changed this test: it pinned "the interrupted turn's tool result is ignored" and
   * a new turn that starts at once. The running call goes in doubt instead, the new message waits
   * behind it, and the tool's late answer settles the call; then the new turn starts.
   */
  @Test
  void interruptPutsTheRunningCallInDoubtCancelsWhatWaitsAndStartsOnceItIsSettled() {
    Turn first = send("first");
    model.call(1).callTools(call("c1", "lookup", "{}"));
    settled();
    Turn queued = send("second");
    newEvents();

    Turn third = send("stop, do this instead", OnBusy.INTERRUPT);

    String why = "interrupted by a new message";
    List<SessionEvent> events = sent;
    assertEquals(
        List.of("tool_call_in_doubt", "turn_ending", "turn_cancelled", "user_message"),
        types(events));
    assertEquals(new TurnEnding(first.id(), "cancelled", why, "ada", T0), events.get(1));
    assertEquals(new TurnCancelled(queued.id(), why, "ada", T0), events.get(2));
    assertEquals(TurnStatus.QUEUED, third.status());
    assertEquals(1, model.callCount());

    tools.invocation(1).succeed(json("{}"));
    settled();
    assertEquals(
        List.of("in_doubt_resolved", "tool_call_succeeded", "turn_cancelled", "turn_started"),
        types(newEvents()));
    assertEquals(
        "user: stop, do this instead",
        model.call(2).conversation().get(model.call(2).conversation().size() - 1));
  }

  @Test
  void theModelSeesAMessageQueuedDuringAStepOnlyWhenItsOwnTurnStarts() {
    send("first");
    model.call(1).callTools(call("c1", "lookup", "{}"));
    settled();
    send("second");

    tools.invocation(1).succeed(json("{\"n\":1}"));
    settled();

    // Tool results follow the call that asked for them; the queued message is not part of this
    // turn.
    assertEquals(
        List.of("user: first", "assistant calls [c1 lookup {}]", "tool c1: {\"n\":1}"),
        model.call(2).conversation());
    model.call(2).answer("one");
    settled();
    assertEquals(
        List.of(
            "user: first",
            "assistant calls [c1 lookup {}]",
            "tool c1: {\"n\":1}",
            "assistant: one",
            "user: second"),
        model.call(3).conversation());
  }

  /**
   * Decision 0016 changed this test: it pinned "the running call is cancelled and its late result
   * ignored". Closing cancels the queued turn; the running call goes in doubt, its question stays
   * open in the closed session, and the tool's late answer settles it and ends the turn.
   */
  @Test
  void closingCancelsTheQueuedTurnsAndLeavesTheRunningCallInDoubtUntilItsAnswer() {
    Turn first = send("first");
    model.call(1).callTools(call("c1", "lookup", "{}"));
    settled();
    Turn queued = send("second");
    newEvents();

    SessionView closed = current(run(r -> new SessionCommand.CloseSession(ADA, r)).reply());

    assertEquals(SessionStatus.CLOSED, closed.status());
    List<SessionEvent> events = newEvents();
    assertEquals(
        List.of("tool_call_in_doubt", "turn_ending", "turn_cancelled", "session_closed"),
        types(events));
    assertEquals(
        List.of(queued.id()),
        all(TurnCancelled.class, events).stream().map(TurnCancelled::turnId).toList());
    assertEquals(Approval.IN_DOUBT, pendingApprovals().get(0).reason());
    tools.invocation(1).succeed(json("{}"));
    settled();
    assertEquals(
        List.of("in_doubt_resolved", "tool_call_succeeded", "turn_cancelled"), types(newEvents()));
    assertEquals(TurnStatus.CANCELLED, turn(first.id()).status());
    assertEquals(1, model.callCount());
  }
}
