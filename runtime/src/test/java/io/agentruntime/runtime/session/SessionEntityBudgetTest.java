package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.FakeModel.call;
import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.T0;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.model.ModelReply;
import io.agentruntime.runtime.session.SessionEvent.ToolCallCancelled;
import io.agentruntime.runtime.session.SessionEvent.ToolCallFailed;
import io.agentruntime.runtime.session.SessionEvent.TurnFailed;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What stops a runaway turn: steps, tokens and time, and the model or a tool failing. */
class SessionEntityBudgetTest extends AgentLoopTestSupport {

  private void stepWithLookup(FakeModel.Call call, String id) {
    call.callTools(call(id, "lookup", "{}"));
    settled();
  }

  @Test
  void aModelStillAskingForToolsAtTheLastStepFailsTheTurn() {
    create(new Limits(2, 600, 0, null));
    Turn turn = send("loop forever");
    stepWithLookup(model.call(1), "c1");
    tools.invocation(1).succeed(json("{}"));
    settled();
    newEvents();

    model.call(2).callTools(call("c2", "lookup", "{}"), call("c3", "send_email", "{}"));
    settled();

    List<SessionEvent> events = newEvents();
    assertEquals(
        List.of("assistant_message", "tool_call_cancelled", "tool_call_cancelled", "turn_failed"),
        types(events));
    assertEquals(
        List.of("c2", "c3"),
        all(ToolCallCancelled.class, events).stream().map(ToolCallCancelled::toolCallId).toList());
    TurnFailed failed = only(TurnFailed.class, events);
    assertEquals("step_budget_exhausted", failed.code());
    assertEquals(new TurnError("step_budget_exhausted", failed.message()), turn(turn.id()).error());
    assertEquals(1, tools.invocations().size(), "no call of the last step ran");
    assertTrue(pendingApprovals().isEmpty(), "nor was any approval asked for");
    assertEquals(2, model.callCount());
  }

  @Test
  void theLastStepMayStillAnswer() {
    create(new Limits(2, 600, 0, null));
    Turn turn = send("one tool, then answer");
    stepWithLookup(model.call(1), "c1");
    tools.invocation(1).succeed(json("{}"));
    settled();
    model.call(2).answer("done");
    settled();
    assertEquals(TurnStatus.COMPLETED, turn(turn.id()).status());
  }

  /**
   * Decision 0039 changed this test: it pinned "the calls are cancelled, the turn and the queue
   * fail, new messages are refused". A spent budget now stops model calls only: the step's calls
   * run, and the next model call waits for an approver, who raises the budget.
   */
  @Test
  void spendingTheTokenBudgetPausesTheTurnBeforeItsNextModelCallUntilARaise() {
    create(new Limits(8, 600, 100, null));
    Turn first = send("first");
    model.call(1).reply(new ModelReply("", List.of(call("c1", "lookup", "{}")), 60, 50));
    settled();
    tools.invocation(1).succeed(json("{}"));
    settled();

    assertEquals(TurnStatus.AWAITING_APPROVAL, turn(first.id()).status());
    assertEquals(1, model.callCount(), "no model call starts past the budget");
    Approval asked = pendingApprovals().get(0);
    assertEquals(Approval.BUDGET, asked.reason());
    assertEquals(
        json("{\"budget\":\"tokens\",\"limit\":100,\"used\":110,\"raise\":\"maxSessionTokens\"}"),
        asked.arguments());

    assertProblem(
        refused(
            r ->
                new SessionCommand.DecideApproval(
                    ADA_APPROVER,
                    asked.id(),
                    "approve",
                    null,
                    json("{\"maxSessionTokens\": 100}"),
                    r)),
        Problem.Kind.INVALID,
        "invalid_field",
        "raise.maxSessionTokens");
    assertInstanceOf(
        SessionReply.ApprovalDecided.class,
        decide(ADA_APPROVER, asked.id(), "approve", json("{\"maxSessionTokens\": 1000}")));
    settled();
    model.call(2).reply(new ModelReply("done", List.of(), 10, 5));
    settled();

    assertEquals(TurnStatus.COMPLETED, turn(first.id()).status());
    assertEquals(new Usage(70, 55, BigDecimal.ZERO), kit.getState().usage());
    assertEquals(1000, kit.getState().agent().limits().maxSessionTokens());
  }

  @Test
  void aDeniedBudgetFailsTheTurnWithBudgetExhaustedAndTheNextTurnAsksAgain() {
    create(new Limits(8, 600, 100, null));
    Turn turn = send("hello");
    model.call(1).reply(new ModelReply("Hi", List.of(), 90, 20));
    settled();
    assertEquals("Hi", turn(turn.id()).output(), "an answer that spends the last tokens arrives");

    Turn next = send("again");
    assertEquals(TurnStatus.AWAITING_APPROVAL, turn(next.id()).status());
    decided(pendingApprovals().get(0).id(), "deny");
    settled();

    assertEquals(TurnStatus.FAILED, turn(next.id()).status());
    assertEquals("budget_exhausted", turn(next.id()).error().code());
    assertEquals(1, model.callCount());
    assertTrue(pendingApprovals().isEmpty());
  }

  /**
   * Decision 0016 changed this test: it pinned "the running call is cancelled, the turn fails, a
   * late result is ignored". The running call may have reached its tool: it goes in doubt and the
   * turn waits; the tool's late answer settles it, and the turn then fails as the deadline said.
   */
  @Test
  void aTurnOverItsTimeBudgetPutsItsRunningCallInDoubtAndFailsOnceItIsSettled() {
    create();
    Turn turn = send("slow");
    stepWithLookup(model.call(1), "c1");
    newEvents();
    clock.advance(Duration.ofSeconds(300));
    assertTrue(
        kit.runCommand(new InternalCommand.TurnDeadlinePassed(turn.id())).hasNoEvents(), "not yet");

    Instant at = clock.advance(Duration.ofSeconds(300));
    var timedOut = kit.runCommand(new InternalCommand.TurnDeadlinePassed(turn.id()));

    String why = "the turn ran longer than its budget of 600 s";
    assertEquals(List.of("tool_call_in_doubt", "turn_ending"), types(timedOut.events()));
    assertEquals(
        new SessionEvent.TurnEnding(turn.id(), "turn_timeout", why, null, at),
        timedOut.events().get(1));
    assertEquals(TurnStatus.AWAITING_APPROVAL, turn(turn.id()).status());
    newEvents();
    tools.invocation(1).succeed(json("{\"late\":true}"));
    settled();
    assertEquals(
        List.of("in_doubt_resolved", "tool_call_succeeded", "turn_failed"), types(newEvents()));
    assertEquals(new TurnError("turn_timeout", why), turn(turn.id()).error());
    assertEquals(TurnStatus.FAILED, turn(turn.id()).status());
    assertEquals(1, model.callCount());
  }

  @Test
  void timeSpentWaitingForAHumanIsNotOnTheTurnsBudget() {
    create();
    Turn turn = send("mail");
    clock.advance(Duration.ofSeconds(100));
    model.call(1).callTools(call("e1", "send_email", "{}"));
    settled();
    clock.advance(Duration.ofSeconds(1000));
    assertTrue(
        kit.runCommand(new InternalCommand.TurnDeadlinePassed(turn.id())).hasNoEvents(), "paused");

    decided(pendingApprovals().get(0).id(), "approve");
    assertEquals(T0.plusSeconds(1600), turn(turn.id()).deadline());
    clock.advance(Duration.ofSeconds(400));
    assertTrue(
        kit.runCommand(new InternalCommand.TurnDeadlinePassed(turn.id())).hasNoEvents(),
        "100 s are left");
    clock.advance(Duration.ofSeconds(100));
    var timedOut = kit.runCommand(new InternalCommand.TurnDeadlinePassed(turn.id()));

    // (Decision 0016: the approved call was running, so it is in doubt, not cancelled.)
    assertEquals(List.of("tool_call_in_doubt", "turn_ending"), types(timedOut.events()));
  }

  @Test
  void modelAndToolCallsNeverOutliveTheTurnsBudget() {
    create();
    send("hurry");
    clock.advance(Duration.ofSeconds(570));
    stepWithLookup(model.call(1), "c1");
    assertEquals(Duration.ofSeconds(30), tools.invocation(1).invocation().timeout());
    clock.advance(Duration.ofSeconds(20));
    tools.invocation(1).succeed(json("{}"));
    settled();
    assertEquals(Duration.ofSeconds(10), model.call(2).request().timeout());
  }

  @Test
  void aModelFailureFailsTheTurnWithItsCodeAndTheNextTurnStarts() {
    create();
    Turn first = send("first");
    Turn second = send("second");

    model.call(1).fail("model_unavailable", "503 three times");
    settled();

    assertEquals(
        List.of(
            new TurnFailed(first.id(), "model_unavailable", "503 three times", T0),
            new SessionEvent.TurnStarted(second.id(), T0)),
        newEvents());
    assertEquals(new TurnError("model_unavailable", "503 three times"), turn(first.id()).error());
    model.call(2).future().completeExceptionally(new IllegalStateException("boom"));
    settled();
    assertEquals(new TurnError("model_error", "boom"), turn(second.id()).error());
  }

  @Test
  void aModelNotConfiguredOnThisServerIsRefusedAtCreationAndFailsTheTurnsWhenItVanishesLater() {
    SessionSpec nowhere =
        new SessionSpec(
            new AgentDefinition("hi", "nowhere", new Limits(8, 600, 0, null)),
            List.of(),
            PermissionPolicy.empty(),
            java.util.Map.of(),
            java.util.Map.of());
    assertProblem(
        refused(
            r ->
                new SessionCommand.CreateSession(
                    ADA, nowhere, SessionCommand.CreateMode.CREATE_NEW, r)),
        Problem.Kind.INVALID,
        "invalid_field",
        "agent.model");
    create();
    model.unconfigure();
    Turn turn = send("hello");

    SessionState failed =
        awaitState(s -> s.turn(turn.id()).orElseThrow().status() == TurnStatus.FAILED);

    assertEquals("model_not_configured", failed.turn(turn.id()).orElseThrow().error().code());
    assertEquals(0, model.callCount());
  }

  @Test
  void aToolFailureOrAnOversizedResultIsTheCallsOutcome() {
    create();
    send("two tools");
    model.call(1).callTools(call("c1", "lookup", "{}"), call("c2", "charge_card", "{}"));
    settled();
    newEvents();

    tools.of("lookup").fail("tool_http_error", "HTTP 502");
    tools
        .of("charge_card")
        .succeed(json("{\"blob\":\"" + "x".repeat(TURNS.maxToolResultBytes()) + "\"}"));
    settled();

    List<ToolCallFailed> failed = all(ToolCallFailed.class, newEvents());
    assertEquals(
        List.of("tool_http_error", "tool_result_too_large"),
        failed.stream().map(ToolCallFailed::code).toList());
    assertEquals("HTTP 502", failed.get(0).message());
    assertEquals(2, model.callCount());
  }
}
