package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.FakeModel.call;
import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.OPERATOR;
import static io.agentruntime.runtime.session.Fixtures.T0;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.session.SessionEvent.ApprovalDenied;
import io.agentruntime.runtime.session.SessionEvent.ApprovalExpired;
import io.agentruntime.runtime.session.SessionEvent.ApprovalGranted;
import io.agentruntime.runtime.session.SessionEvent.ApprovalRequested;
import io.agentruntime.runtime.session.SessionEvent.ToolCallFailed;
import io.agentruntime.runtime.session.SessionEvent.ToolCallRejected;
import io.agentruntime.runtime.session.SessionEvent.ToolCallStarted;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tools the policy asks about: a human approves or denies the exact call, once, in time. */
class SessionEntityApprovalTest extends AgentLoopTestSupport {

  private static final JsonNode EMAIL = json("{\"to\":\"bob@example.com\",\"body\":\"hi\"}");

  private Turn turn;

  @BeforeEach
  void askingForAnEmail() {
    create();
    turn = send("mail bob");
    model.call(1).callTools(call("e1", "send_email", EMAIL.toString()));
    settled();
  }

  private Approval theApproval() {
    List<Approval> pending = pendingApprovals();
    assertEquals(1, pending.size(), pending::toString);
    return pending.get(0);
  }

  /** Where send_email goes, as the approval is asked for it. */
  private static final ToolDefinition SEND_EMAIL =
      new ToolDefinition("http", "http://tools.internal/send_email", null, false);

  @Test
  void askPausesTheTurnUntilAHumanDecides() {
    List<SessionEvent> step = newEvents();
    assertEquals(List.of("assistant_message", "approval_requested"), types(step));
    ApprovalRequested requested = only(ApprovalRequested.class, step);
    assertEquals(
        new ApprovalRequested(
            requested.approvalId(),
            turn.id(),
            "e1",
            "send_email",
            EMAIL,
            T0.plus(TURNS.approvalTimeout()),
            T0,
            SEND_EMAIL,
            Approval.ON_EXPIRY_DENY,
            null),
        requested);

    assertEquals(
        new Approval(
            requested.approvalId(),
            turn.id(),
            "e1",
            "send_email",
            EMAIL,
            Approval.POLICY,
            T0,
            T0.plus(TURNS.approvalTimeout()),
            Approval.PENDING,
            null,
            SEND_EMAIL,
            Approval.ON_EXPIRY_DENY,
            null),
        theApproval());
    Turn paused = turn(turn.id());
    assertEquals(TurnStatus.AWAITING_APPROVAL, paused.status());
    assertEquals(T0, paused.pausedAt());
    SessionView view = current(run(r -> new SessionCommand.GetSession(ADA, r)).reply());
    assertEquals(SessionStatus.AWAITING_APPROVAL, view.status());
    assertEquals(1, view.pendingApprovals());
    assertTrue(tools.invocations().isEmpty(), "an unapproved tool is never called");
    assertEquals(1, model.callCount());
  }

  @Test
  void approvalRunsTheCallWithExactlyTheApprovedArgumentsAndResumesTheClock() {
    Approval asked = theApproval();
    newEvents();
    Instant at = clock.advance(Duration.ofMinutes(5));

    Approval decided = decided(asked.id(), "approve");

    assertEquals("granted", decided.status());
    assertEquals("ada", decided.decidedBy());
    List<SessionEvent> events = newEvents();
    assertEquals(List.of("approval_granted", "tool_call_started"), types(events));
    assertEquals(new ApprovalGranted(asked.id(), "ada", "checked", at), events.get(0));
    ToolCallStarted started = only(ToolCallStarted.class, events);
    assertEquals(EMAIL, started.arguments());
    assertEquals(EMAIL, tools.of("send_email").arguments());
    assertEquals(started.idempotencyKey(), tools.of("send_email").key());
    Turn resumed = turn(turn.id());
    assertEquals(TurnStatus.RUNNING, resumed.status());
    assertEquals(
        T0.plusSeconds(600).plus(Duration.ofMinutes(5)),
        resumed.deadline(),
        "the wait is not on the budget");
    assertTrue(pendingApprovals().isEmpty());

    tools.of("send_email").succeed(json("{\"sent\":true}"));
    settled();
    assertEquals("tool e1: {\"sent\":true}", model.call(2).conversation().get(2));
  }

  @Test
  void denialRejectsTheCallWithoutRunningIt() {
    Approval asked = theApproval();
    newEvents();

    assertEquals("denied", decided(asked.id(), "deny").status());

    List<SessionEvent> events = newEvents();
    assertEquals(new ApprovalDenied(asked.id(), "ada", "checked", T0), events.get(0));
    assertEquals(
        new ToolCallRejected(turn.id(), "e1", "denied by ada: checked", T0), events.get(1));
    assertEquals(2, events.size());
    assertTrue(tools.invocations().isEmpty());
    assertEquals("tool e1: rejected: denied by ada: checked", model.call(2).conversation().get(2));
  }

  @Test
  void aSecondDecisionIsAConflictAndChangesNothing() {
    Approval asked = theApproval();
    decided(asked.id(), "approve");

    for (String decision : List.of("approve", "deny")) {
      assertProblem(
          refused(
              r ->
                  new SessionCommand.DecideApproval(
                      ADA_APPROVER, asked.id(), decision, null, null, r)),
          Problem.Kind.CONFLICT,
          "approval_decided",
          null);
    }
    assertEquals(1, tools.invocations().size(), "approved once, run once");
  }

  @Test
  void onlyAnApproverWhoSeesTheSessionDecides() {
    String id = theApproval().id();
    Problem forbidden =
        refused(r -> new SessionCommand.DecideApproval(ADA, id, "approve", null, null, r));
    assertProblem(forbidden, Problem.Kind.FORBIDDEN, "role_missing", null);
    assertProblem(
        refused(r -> new SessionCommand.DecideApproval(OPERATOR, id, "approve", null, null, r)),
        Problem.Kind.FORBIDDEN,
        "role_missing",
        null);
    // An approver of the tenant that may not see the session is told it does not exist.
    assertEquals(
        Problem.notFound(),
        refused(
            r ->
                new SessionCommand.DecideApproval(
                    new Caller("bob", false, true), id, "approve", null, null, r)));
    assertEquals(
        Problem.notFound(), refused(r -> new SessionCommand.ListApprovals(Fixtures.BOB, r)));
    // An operator with the role may decide on anyone's session.
    SessionReply byOperator = decide(new Caller("olga", true, true), id, "approve");
    assertEquals(
        "granted",
        assertInstanceOf(SessionReply.ApprovalDecided.class, byOperator).approval().status());
  }

  @Test
  void anUnknownApprovalOrDecisionIsRefused() {
    String id = theApproval().id();
    assertProblem(
        refused(
            r ->
                new SessionCommand.DecideApproval(
                    ADA_APPROVER, "appr_nope", "approve", null, null, r)),
        Problem.Kind.NOT_FOUND,
        "approval_not_found",
        "approvalId");
    for (String decision : List.of("maybe", "retry", "result")) {
      assertProblem(
          refused(
              r -> new SessionCommand.DecideApproval(ADA_APPROVER, id, decision, null, null, r)),
          Problem.Kind.INVALID,
          "invalid_field",
          "decision");
    }
    assertEquals(Approval.PENDING, theApproval().status());
  }

  @Test
  void anApprovalNobodyDecidesExpiresAtItsDeadlineAndTheCallIsRejected() {
    Approval asked = theApproval();
    newEvents();
    clock.advance(TURNS.approvalTimeout().minusSeconds(1));
    assertTrue(
        kit.runCommand(new InternalCommand.ApprovalDeadlinePassed(asked.id())).hasNoEvents(),
        "not yet");

    Instant at = clock.advance(Duration.ofSeconds(1));
    var expired = kit.runCommand(new InternalCommand.ApprovalDeadlinePassed(asked.id()));

    assertEquals(
        List.of(
            new ApprovalExpired(asked.id(), at),
            new ToolCallRejected(
                turn.id(), "e1", "the approval expired at " + asked.expiresAt(), at)),
        expired.events());
    assertEquals("expired", expired.state().approval(asked.id()).orElseThrow().status());
    assertEquals(2, model.callCount(), "the model hears of the rejection and goes on");
    assertProblem(
        refused(
            r ->
                new SessionCommand.DecideApproval(
                    ADA_APPROVER, asked.id(), "approve", null, null, r)),
        Problem.Kind.CONFLICT,
        "approval_expired",
        null);
    assertTrue(
        kit.runCommand(new InternalCommand.ApprovalDeadlinePassed(asked.id())).hasNoEvents(),
        "expires once");
  }

  @Test
  void aDecisionThatComesAfterTheDeadlineIsTooLateEvenBeforeTheTimerFired() {
    Approval asked = theApproval();
    newEvents();
    Instant at = clock.advance(TURNS.approvalTimeout());

    SessionReply late = decide(ADA_APPROVER, asked.id(), "approve");

    assertProblem(
        assertInstanceOf(SessionReply.Rejected.class, late).problem(),
        Problem.Kind.CONFLICT,
        "approval_expired",
        null);
    assertEquals(
        List.of(
            new ApprovalExpired(asked.id(), at),
            new ToolCallRejected(
                turn.id(), "e1", "the approval expired at " + asked.expiresAt(), at)),
        newEvents());
    assertTrue(tools.invocations().isEmpty(), "an expired approval never runs the call");
  }

  @Test
  void anAllowedCallRunsWhileAnotherOfTheStepWaitsForApproval() {
    // The first turn asked for the e-mail alone; start over with a step that mixes both kinds.
    Turn mixed = send("look up and mail", OnBusy.INTERRUPT);
    model.call(2).callTools(call("c1", "lookup", "{}"), call("e2", "send_email", EMAIL.toString()));
    settled();

    assertEquals(
        List.of("assistant_message", "tool_call_started", "approval_requested"),
        types(newEvents()));
    assertEquals(TurnStatus.AWAITING_APPROVAL, turn(mixed.id()).status());
    tools.of("lookup").succeed(json("{}"));
    settled();
    assertEquals(2, model.callCount(), "the e-mail has no outcome yet");

    decided(theApproval().id(), "approve");
    tools.of("send_email").succeed(json("{\"sent\":true}"));
    settled();

    assertEquals(
        List.of(
            "user: look up and mail",
            "assistant calls [c1 lookup {}, e2 send_email " + EMAIL + "]",
            "tool c1: {}",
            "tool e2: {\"sent\":true}"),
        model.call(3).conversation().subList(3, 7));
  }

  @Test
  void aTurnWaitingForTwoApprovalsResumesOnlyAfterTheLastDecision() {
    Turn two = send("mail twice", OnBusy.INTERRUPT);
    model
        .call(2)
        .callTools(
            call("e2", "send_email", "{\"to\":\"a@example.com\"}"),
            call("e3", "send_email", "{\"to\":\"b@example.com\"}"));
    settled();
    List<Approval> asked = pendingApprovals();
    assertEquals(List.of("e2", "e3"), asked.stream().map(Approval::toolCallId).toList());

    clock.advance(Duration.ofMinutes(1));
    decided(asked.get(0).id(), "approve");
    assertEquals(
        TurnStatus.AWAITING_APPROVAL, turn(two.id()).status(), "one approval is still open");
    tools.of("send_email").succeed(json("{}"));
    settled();
    clock.advance(Duration.ofMinutes(1));
    decided(asked.get(1).id(), "deny");

    Turn resumed = turn(two.id());
    assertEquals(TurnStatus.RUNNING, resumed.status());
    assertEquals(T0.plusSeconds(600).plus(Duration.ofMinutes(2)), resumed.deadline());
    assertEquals(3, model.callCount(), "both calls have their outcome: the model goes on");
  }

  @Test
  void anApprovedBuiltInToolRunsInPlace() {
    run( // an operator: this policy no longer denies delete_repo, which only an operator may do
        r ->
            new SessionCommand.ChangePermissions(
                Fixtures.OPERATOR,
                new PermissionPolicy(Map.of("memory_write", Permission.ASK)),
                r));
    Turn remember = send("remember", OnBusy.INTERRUPT);
    model.call(2).callTools(call("m1", "memory_write", "{\"key\":\"k\",\"value\":1}"));
    settled();
    String id = pendingApprovals().get(0).id();
    newEvents();

    decided(id, "approve");

    assertEquals(
        List.of("approval_granted", "memory_written", "tool_call_succeeded"), types(newEvents()));
    assertEquals(json("1"), kit.getState().memory().get("k"));
    assertEquals(TurnStatus.RUNNING, turn(remember.id()).status());
    assertEquals(3, model.callCount());
  }

  @Test
  void disconnectingAToolWhileItsApprovalWaitsWithdrawsTheApprovalAndFailsTheCall() {
    String id = theApproval().id();
    newEvents();
    run(r -> new SessionCommand.DisconnectTool(ADA, "send_email", r));
    List<SessionEvent> events = newEvents();
    assertEquals(
        List.of("tool_disconnected", "approval_withdrawn", "tool_call_failed"), types(events));
    assertEquals("unknown_tool", only(ToolCallFailed.class, events).code());

    assertProblem(
        assertInstanceOf(SessionReply.Rejected.class, decide(ADA_APPROVER, id, "approve"))
            .problem(),
        Problem.Kind.CONFLICT,
        "approval_decided",
        null);
    assertTrue(tools.invocations().isEmpty());
  }

  @Test
  void aToolRetargetedWhileItsApprovalWaitsIsAskedAboutAgainAndRunsWhereApproved() {
    Approval first = theApproval();
    newEvents();
    ToolConnection.Http moved =
        new ToolConnection.Http(
            "send_email", "http://tools.internal/wire_money", "", null, false, "PAYMENTS");
    run(r -> new SessionCommand.ConnectTool(Fixtures.OPERATOR, moved, r));
    assertEquals(
        List.of("tool_connected", "approval_withdrawn", "approval_requested"), types(newEvents()));
    Approval again = theApproval();
    assertNotEquals(first.id(), again.id());
    assertEquals(
        new ToolDefinition("http", "http://tools.internal/wire_money", "PAYMENTS", false),
        again.definition());

    decided(again.id(), "approve");
    settled();
    FakeTools.Invocation sent = tools.of("send_email");
    assertEquals("http://tools.internal/wire_money", sent.invocation().connection().url());
    assertEquals("PAYMENTS", sent.invocation().connection().secretRef());
    sent.succeed(json("{\"sent\":true}"));
    settled();
  }

  @Test
  void approvingACallThePolicyNowDeniesRejectsItAndNeverRunsIt() {
    String id = theApproval().id();
    run(
        r ->
            new SessionCommand.ChangePermissions(
                ADA,
                new PermissionPolicy(
                    Map.of("send_email", Permission.DENY, "delete_repo", Permission.DENY)),
                r));
    newEvents();

    assertProblem(
        assertInstanceOf(SessionReply.Rejected.class, decide(ADA_APPROVER, id, "approve"))
            .problem(),
        Problem.Kind.CONFLICT,
        "tool_denied",
        null);
    assertEquals(List.of("approval_withdrawn", "tool_call_rejected"), types(newEvents()));
    assertTrue(tools.invocations().isEmpty(), "a denied tool is never called");
  }
}
