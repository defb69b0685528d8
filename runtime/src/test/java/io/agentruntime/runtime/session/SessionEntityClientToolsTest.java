package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.FakeModel.call;
import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Function tools the client runs (decision 0023), steering (decision 0024) and cancelling the
 * active turn, on one session entity: the fake model calls the functions, the test plays the
 * client. After each test the entity restarts and must rebuild the same state (the support class
 * checks it).
 */
class SessionEntityClientToolsTest extends AgentLoopTestSupport {

  private static final Duration CLIENT_WAIT = Duration.ofMinutes(30);

  @Override
  TurnSettings turnSettings() {
    return new TurnSettings(
        CLIENT_WAIT,
        TURNS.modelTimeout(),
        TURNS.toolTimeout(),
        TURNS.maxToolResultBytes(),
        TURNS.idleTimeout(),
        TURNS.contextTurns());
  }

  /** The loop's tools, plus the client's function {@code weather}; 60 s per turn. */
  private void createWithFunction() {
    SessionSpec loop = loopSpec(new Limits(8, 60, 0, null));
    List<ToolConnection> tools = new ArrayList<>(loop.tools());
    tools.add(
        new ToolConnection.Function(
            "weather",
            "The weather in a city",
            json("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}")));
    SessionSpec spec =
        new SessionSpec(
            loop.agent(),
            tools,
            loop.permissions(),
            Map.of("user_name", json("\"Ada\"")),
            Map.of());
    create(spec);
  }

  /** A turn whose model called {@code weather} (c1): it waits for the client. */
  private Turn waitingForTheClient() {
    createWithFunction();
    Turn turn = send("weather in Oslo?");
    model.call(1).callTools(call("c1", "weather", "{\"city\":\"Oslo\"}"));
    settled();
    return turn;
  }

  private SessionReply submit(String turnId, String callId, JsonNode output) {
    return run(r -> new SessionCommand.SubmitToolResult(ADA, turnId, callId, true, output, null, r))
        .reply();
  }

  private SessionReply submitKeyed(String key, String turnId, String callId, JsonNode output) {
    String fingerprint =
        RequestKeys.fingerprint("turn.tool_result", "ada", turnId, callId, true, output, null);
    return run(r ->
            new SessionCommand.Keyed(
                new SessionCommand.SubmitToolResult(ADA, turnId, callId, true, output, null, r),
                key,
                fingerprint))
        .reply();
  }

  @Test
  void theModelsFunctionCallWaitsForTheClientAndItsResultCompletesTheTurn() {
    Turn turn = waitingForTheClient();

    assertEquals(List.of("assistant_message", "client_tool_call_requested"), types(newEvents()));
    assertEquals(0, tools.invocations().size(), "the runtime calls nothing");
    assertTrue(model.call(1).offeredTools().contains("weather"), "offered like any tool");
    Turn waiting = turn(turn.id());
    assertEquals(TurnStatus.WAITING, waiting.status());
    assertEquals(List.of("c1"), waiting.clientCalls().stream().map(ClientCall::callId).toList());
    SessionView view = view(ADA);
    assertEquals(SessionStatus.AWAITING_CLIENT, view.status());
    ClientCall pending = view.pendingClientCalls().get(0);
    assertEquals("weather", pending.name());
    assertEquals(json("{\"city\":\"Oslo\"}"), pending.arguments());
    assertEquals(turn.id(), pending.turnId());

    Turn after =
        assertInstanceOf(
                SessionReply.TurnFound.class, submit(turn.id(), "c1", TextNode.valueOf("sunny")))
            .turn();
    assertEquals(TurnStatus.RUNNING, after.status());
    assertEquals(List.of("tool_call_succeeded"), types(newEvents()));
    assertTrue(
        model.call(2).conversation().contains("tool c1: \"sunny\""),
        () -> model.last().conversation().toString());
    model.call(2).answer("Sunny in Oslo.");
    settled();
    assertEquals(TurnStatus.COMPLETED, turn(turn.id()).status());
  }

  @Test
  void otherCallsOfTheStepRunAndTheModelWaitsForEveryOutcome() {
    createWithFunction();
    Turn turn = send("go");
    model
        .call(1)
        .callTools(call("c1", "weather", "{\"city\":\"Oslo\"}"), call("c2", "lookup", "{}"));
    settled();
    assertEquals(1, tools.invocations().size(), "the HTTP tool runs as today");
    tools.invocation(1).succeed(json("{\"found\":1}"));
    settled();
    assertEquals(1, model.callCount(), "the client's call has no outcome yet");
    assertEquals(TurnStatus.WAITING, turn(turn.id()).status());

    submit(turn.id(), "c1", TextNode.valueOf("rain"));
    settled();
    assertEquals(2, model.callCount());
    model.call(2).answer("done");
    settled();
  }

  @Test
  void anUnknownOrStaleCallIsRefusedJournalsNothingAndKeepsNoKey() {
    Turn turn = waitingForTheClient();
    newEvents();

    Problem unknown = refused(r -> refusedResult(turn.id(), "c9", r));
    assertProblem(unknown, Problem.Kind.INVALID, "unknown_tool_call", "callId");
    assertEquals("Unknown pending tool call: c9", unknown.message());
    assertEquals(
        "Unknown pending tool call: c1",
        refused(r -> refusedResult("turn_other", "c1", r)).message(),
        "another turn's id");
    // Under a key: refused, and the key is not kept, so the same key works once the call exists.
    assertInstanceOf(
        SessionReply.Rejected.class, submitKeyed("k1", turn.id(), "c9", TextNode.valueOf("x")));
    assertEquals(List.of(), newEvents(), "nothing journaled");
    assertTrue(kit.getState().requestForIdempotencyKey("k1").isEmpty());

    SessionReply first = submitKeyed("k1", turn.id(), "c1", TextNode.valueOf("sunny"));
    assertInstanceOf(SessionReply.TurnFound.class, first);
    assertEquals(List.of("tool_call_succeeded", "idempotency_key_recorded"), types(newEvents()));
    SessionReply again = submitKeyed("k1", turn.id(), "c1", TextNode.valueOf("sunny"));
    assertEquals(
        turn.id(), assertInstanceOf(SessionReply.TurnFound.class, again).turn().id(), "as first");
    assertEquals(List.of(), newEvents(), "the duplicate changes nothing");
    assertEquals(
        "Unknown pending tool call: c1",
        refused(r -> refusedResult(turn.id(), "c1", r)).message(),
        "answered already (without the key)");
    model.call(2).answer("ok");
    settled();
  }

  private SessionCommand refusedResult(
      String turnId, String callId, org.apache.pekko.actor.typed.ActorRef<SessionReply> r) {
    return new SessionCommand.SubmitToolResult(ADA, turnId, callId, true, json("1"), null, r);
  }

  @Test
  void aWaitingTurnSurvivesARestartStillWaitingAndTheResultCompletesIt() {
    Turn turn = waitingForTheClient();
    newEvents();

    SessionState recovered = restartAndCheck();
    assertEquals(TurnStatus.WAITING, recovered.turn(turn.id()).orElseThrow().status());
    assertEquals(List.of(), newEvents(), "not in doubt, not failed, not run again");
    assertEquals(1, model.callCount());
    assertEquals(
        List.of("c1"), recovered.pendingClientCalls().stream().map(ClientCall::callId).toList());

    submit(turn.id(), "c1", TextNode.valueOf("sunny"));
    model.call(2).answer("Sunny.");
    settled();
    assertEquals(TurnStatus.COMPLETED, turn(turn.id()).status());
  }

  @Test
  void aWaitingTurnSurvivesARestartInPlace() {
    Turn turn = waitingForTheClient();
    newEvents();
    kit.persistenceTestKit().failNextPersisted(persistenceId());
    var asker = testKit.<SessionReply>createTestProbe();
    kit.runCommand(new SessionCommand.WriteMemory(ADA, "x", json("1"), asker.ref()));
    asker.expectNoMessage(Duration.ofMillis(300));

    settled();
    assertEquals(TurnStatus.WAITING, turn(turn.id()).status());
    assertEquals(List.of(), newEvents(), "nothing decided about the call by the restart");
    submit(turn.id(), "c1", TextNode.valueOf("sunny"));
    model.call(2).answer("Sunny.");
    settled();
    assertEquals(TurnStatus.COMPLETED, turn(turn.id()).status());
  }

  @Test
  void theTurnsBudgetDoesNotRunWhileItWaitsButTheCallsWaitEnds() {
    Turn turn = waitingForTheClient();
    newEvents();
    clock.advance(Duration.ofSeconds(61));
    kit.runCommand(new InternalCommand.TurnDeadlinePassed(turn.id()));
    assertEquals(TurnStatus.WAITING, turn(turn.id()).status(), "the budget is paused");

    clock.advance(CLIENT_WAIT);
    // The timer was armed for the real half hour; the test's clock moved, so it sends the timer's
    // message itself.
    kit.runCommand(new InternalCommand.ClientCallDeadlinePassed(turn.id(), "c1"));
    awaitState(s -> s.pendingClientCalls().isEmpty());
    var failed = only(SessionEvent.ToolCallFailed.class, newEvents());
    assertEquals(TurnMachine.CLIENT_TIMEOUT, failed.code());
    assertEquals(2, model.callCount(), "the model hears the call timed out");
    model.call(2).answer("no weather");
    settled();
  }

  @Test
  void cancellingTheActiveTurnCancelsTheCallsTheClientWasAskedFor() {
    Turn turn = waitingForTheClient();
    newEvents();
    Turn cancelled =
        assertInstanceOf(
                SessionReply.TurnFound.class,
                run(r -> new SessionCommand.CancelTurn(ADA, null, r)).reply())
            .turn();
    assertEquals(turn.id(), cancelled.id());
    assertEquals(TurnStatus.CANCELLED, cancelled.status());
    assertEquals(List.of("tool_call_cancelled", "turn_cancelled"), types(newEvents()));
    assertTrue(kit.getState().pendingClientCalls().isEmpty());

    SessionReply none = run(r -> new SessionCommand.CancelTurn(ADA, null, r)).reply();
    assertNull(assertInstanceOf(SessionReply.TurnFound.class, none).turn(), "no turn is active");
    assertEquals(List.of(), newEvents());
  }

  @Test
  void aSteeringMessageReachesTheTurnsNextModelCall() {
    createWithFunction();
    Turn turn = send("weather in Oslo?");
    model.call(1).callTools(call("c1", "weather", "{\"city\":\"Oslo\"}"));
    settled();
    newEvents();

    Turn steered = send("in Celsius, please", OnBusy.STEER);
    assertEquals(turn.id(), steered.id(), "the reply names the turn it steered");
    assertEquals(List.of("user_message_steered"), types(sent));
    assertEquals(1, kit.getState().turns().size(), "no turn was opened");

    submit(turn.id(), "c1", TextNode.valueOf("10 C"));
    settled();
    List<String> conversation = model.call(2).conversation();
    assertEquals(
        List.of(
            "user: weather in Oslo?",
            "assistant calls [c1 weather {\"city\":\"Oslo\"}]",
            "tool c1: \"10 C\"",
            "user: in Celsius, please"),
        conversation);
    model.call(2).answer("10 C");
    settled();
    assertEquals(TurnStatus.COMPLETED, turn(turn.id()).status());
  }

  @Test
  void aSteeringMessageTheModelDidNotSeeKeepsTheTurnGoing() {
    createWithFunction();
    Turn turn = send("hello");
    send("answer in German", OnBusy.STEER);
    model.call(1).answer("Hello!");
    settled();
    assertEquals(TurnStatus.RUNNING, turn(turn.id()).status(), "the model has not seen it yet");
    assertEquals(
        List.of("user: hello", "assistant: Hello!", "user: answer in German"),
        model.call(2).conversation());
    model.call(2).answer("Hallo!");
    settled();
    assertEquals("Hallo!", turn(turn.id()).output());
  }

  @Test
  void steeringATurnThatWaitsForAHumanIsRefusedAndJournalsNothing() {
    createWithFunction();
    send("mail bob");
    model.call(1).callTools(call("c1", "send_email", "{\"to\":\"bob\"}"));
    settled();
    newEvents();
    Problem p =
        refused(r -> new SessionCommand.SendUserMessage(ADA, "hurry", OnBusy.STEER, null, r));
    assertProblem(p, Problem.Kind.CONFLICT, "active_turn_not_steerable", null);
    assertEquals(List.of(), newEvents());
    assertFalse(kit.getState().transcript().stream().anyMatch(e -> "hurry".equals(e.content())));
  }

  @Test
  void steeringWithNoActiveTurnStartsOne() {
    createWithFunction();
    Turn turn = send("hello", OnBusy.STEER);
    assertEquals(List.of("user_message", "turn_started"), types(sent));
    assertEquals(TurnStatus.RUNNING, turn(turn.id()).status());
    model.call(1).answer("hi");
    settled();
  }
}
