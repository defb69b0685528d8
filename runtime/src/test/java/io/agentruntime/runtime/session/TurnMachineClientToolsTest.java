package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.runtime.model.ModelReply;
import io.agentruntime.runtime.model.ToolCall;
import io.agentruntime.runtime.session.SessionEvent.*;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The turn machine's decisions about function tools the client runs (decision 0023), steering
 * (decision 0024) and cancelling the active turn, as a table: a state made from events, one input,
 * and the events decided (by type, in order) or the refusal's code.
 */
class TurnMachineClientToolsTest {

  private static final Instant T0 = Fixtures.T0;
  private static final Instant LATER = T0.plusSeconds(60);
  private static final JsonNode ARGS = json("{\"city\":\"Oslo\"}");
  private static final Instant EXPIRES = T0.plus(Duration.ofHours(24));

  private static final TurnMachine MACHINE =
      new TurnMachine(SessionSettings.fromConfig(config()), TurnSettings.fromConfig(config()));

  private static com.typesafe.config.Config config() {
    return ConfigFactory.parseString("agent-runtime.turns.max-tool-result-size = 64")
        .withFallback(ConfigFactory.load());
  }

  /**
   * Tools: the functions {@code weather} (allowed) and {@code pay} (asks), the HTTP tool {@code
   * lookup} (allowed, with side effects); three steps per turn, 600 s.
   */
  private static SessionState created() {
    List<ToolConnection> tools =
        List.of(
            new ToolConnection.Function(
                "weather", "The weather in a city", json("{\"type\":\"object\"}")),
            new ToolConnection.Function("pay", "Pays", null),
            new ToolConnection.Http(
                "lookup", "http://tools.internal/lookup", "", null, false, null));
    SessionSpec spec =
        new SessionSpec(
            new AgentDefinition("Be brief.", "default", new Limits(3, 600, 0, null)),
            tools,
            new PermissionPolicy(Map.of("pay", Permission.ASK, "*", Permission.ALLOW)),
            Map.of(),
            Map.of());
    return fold(SessionState.empty(), new SessionCreated(new Owner("acme", "ada"), spec, T0));
  }

  private static SessionState fold(SessionState s, SessionEvent... events) {
    for (SessionEvent e : events) {
      s = s.apply(e);
    }
    return s;
  }

  /** Turn t1 runs and waits for the model's first step. */
  private static SessionState running() {
    return fold(
        created(),
        new UserMessageAccepted("t1", "weather?", null, "ada", T0),
        new TurnStarted("t1", T0));
  }

  private static SessionState stepped(String... tools) {
    List<TranscriptEntry.ToolCall> calls = new java.util.ArrayList<>();
    for (int i = 0; i < tools.length; i++) {
      calls.add(new TranscriptEntry.ToolCall("c" + (i + 1), tools[i], ARGS));
    }
    return fold(running(), new AssistantReplied("t1", 1, "", calls, 1, 1, T0));
  }

  /** t1's first step called {@code weather} (c1): it waits for the client. */
  private static SessionState waiting() {
    return fold(
        stepped("weather"), new ClientToolCallRequested("t1", "c1", "weather", ARGS, EXPIRES, T0));
  }

  /** t1 waits for the client's c1 and runs {@code lookup} as c2. */
  private static SessionState waitingAndCalling() {
    return fold(
        stepped("weather", "lookup"),
        new ClientToolCallRequested("t1", "c1", "weather", ARGS, EXPIRES, T0),
        new ToolCallStarted("t1", "c2", "lookup", ARGS, "idem_1", T0));
  }

  /** t1 waits for two client calls, c1 and c2. */
  private static SessionState waitingForTwo() {
    return fold(
        stepped("weather", "weather"),
        new ClientToolCallRequested("t1", "c1", "weather", ARGS, EXPIRES, T0),
        new ClientToolCallRequested("t1", "c2", "weather", ARGS, EXPIRES, T0));
  }

  /** t1's call of {@code pay} waits for a human's approval. */
  private static SessionState awaitingApproval() {
    return fold(
        stepped("pay"),
        new ApprovalRequested("appr_1", "t1", "c1", "pay", ARGS, EXPIRES, T0, null, null, null));
  }

  /** t1 waits for the client's c1 and a human's approval of c2. */
  private static SessionState waitingAndAwaitingApproval() {
    return fold(
        stepped("weather", "pay"),
        new ClientToolCallRequested("t1", "c1", "weather", ARGS, EXPIRES, T0),
        new ApprovalRequested("appr_1", "t1", "c2", "pay", ARGS, EXPIRES, T0, null, null, null));
  }

  /** t1 was cancelled while its lookup ran: it waits for a human to decide the call. */
  private static SessionState toldToEnd() {
    return fold(
        stepped("lookup"),
        new ToolCallStarted("t1", "c1", "lookup", ARGS, "idem_1", T0),
        new ToolCallInDoubt("t1", "c1", "appr_2", EXPIRES, T0, null, null),
        new TurnEnding("t1", "cancelled", "cancelled by ada", "ada", T0));
  }

  /** The client answered c1: the model is asked for step 2. */
  private static SessionState answered() {
    return fold(waiting(), new ToolCallSucceeded("t1", "c1", TextNode.valueOf("sunny"), T0));
  }

  private static SessionState idle() {
    return fold(
        running(),
        new AssistantReplied("t1", 1, "done", List.of(), 1, 1, T0),
        new TurnCompleted("t1", "done", T0));
  }

  private record Row(
      String name,
      SessionState given,
      Function<SessionState, Decision> input,
      List<Class<? extends SessionEvent>> events,
      String refusal) {}

  private static Row row(
      String name,
      SessionState given,
      Function<SessionState, Decision> input,
      List<Class<? extends SessionEvent>> events) {
    return new Row(name, given, input, events, null);
  }

  private static Row refused(
      String name, SessionState given, Function<SessionState, Decision> input, String code) {
    return new Row(name, given, input, List.of(), code);
  }

  private static Function<SessionState, Decision> model(int step, ModelReply reply) {
    return s -> MACHINE.modelReplied(s, "t1", step, reply, LATER);
  }

  private static ModelReply calls(String... tools) {
    List<ToolCall> calls = new java.util.ArrayList<>();
    for (int i = 0; i < tools.length; i++) {
      calls.add(ToolCall.fromRaw("c" + (i + 1), tools[i], "{\"city\":\"Oslo\"}"));
    }
    return new ModelReply("", calls, 1, 1);
  }

  private static ModelReply text(String text) {
    return new ModelReply(text, List.of(), 1, 1);
  }

  private static Function<SessionState, Decision> result(String turnId, String callId) {
    return s ->
        MACHINE.clientResult(s, turnId, callId, true, TextNode.valueOf("sunny"), null, LATER);
  }

  private static Function<SessionState, Decision> failure(String callId) {
    return s -> MACHINE.clientResult(s, "t1", callId, false, null, "Tool handler failed.", LATER);
  }

  private static Function<SessionState, Decision> steer() {
    return s -> MACHINE.userMessage(s, "ada", "in Celsius", OnBusy.STEER, null, "t9", LATER);
  }

  private static List<Row> table() {
    return List.of(
        // ---- a function call is journaled for the client, nothing is called ----
        row(
            "the model calls a function: journaled for the client",
            running(),
            model(1, calls("weather")),
            List.of(AssistantReplied.class, ClientToolCallRequested.class)),
        row(
            "a function and an HTTP tool in one step: the HTTP call starts as today",
            running(),
            model(1, calls("weather", "lookup")),
            List.of(AssistantReplied.class, ClientToolCallRequested.class, ToolCallStarted.class)),
        row(
            "a function the policy asks about: a human first",
            running(),
            model(1, calls("pay")),
            List.of(AssistantReplied.class, ApprovalRequested.class)),
        row(
            "the function approved: then journaled for the client",
            awaitingApproval(),
            s ->
                MACHINE.humanDecision(
                    s, new Caller("ada", false, true), "appr_1", "approve", null, null, LATER),
            List.of(ApprovalGranted.class, ClientToolCallRequested.class)),
        // ---- the client's result ----
        row(
            "a result for the waiting call: its outcome",
            waiting(),
            result("t1", "c1"),
            List.of(ToolCallSucceeded.class)),
        row(
            "a failure for the waiting call: its outcome",
            waiting(),
            failure("c1"),
            List.of(ToolCallFailed.class)),
        row(
            "one of two waiting calls answered: the other still waits",
            waitingForTwo(),
            result("t1", "c2"),
            List.of(ToolCallSucceeded.class)),
        refused("a call never asked for", waiting(), result("t1", "c7"), "unknown_tool_call"),
        refused("a call of another turn", waiting(), result("t0", "c1"), "unknown_tool_call"),
        refused("a call answered already", answered(), result("t1", "c1"), "unknown_tool_call"),
        refused(
            "a call the runtime runs, not the client",
            waitingAndCalling(),
            result("t1", "c2"),
            "unknown_tool_call"),
        refused(
            "a call that waits for an approval, not the client",
            awaitingApproval(),
            result("t1", "c1"),
            "unknown_tool_call"),
        refused(
            "a call of a cancelled turn",
            fold(
                waiting(),
                new ToolCallCancelled("t1", "c1", "cancelled", T0),
                new TurnCancelled("t1", "cancelled", "ada", T0)),
            result("t1", "c1"),
            "unknown_tool_call"),
        refused(
            "an output over max-tool-result-size",
            waiting(),
            s ->
                MACHINE.clientResult(
                    s, "t1", "c1", true, TextNode.valueOf("x".repeat(100)), null, LATER),
            "too_large"),
        // ---- deadlines ----
        row(
            "the turn's budget does not run while it waits for the client",
            waiting(),
            s -> MACHINE.turnDeadlinePassed(s, "t1", T0.plusSeconds(601)),
            List.of()),
        row(
            "the client call's deadline passed: it fails, the turn goes on",
            waiting(),
            s -> MACHINE.clientCallDeadlinePassed(s, "t1", "c1", EXPIRES),
            List.of(ToolCallFailed.class)),
        row(
            "the client call's timer fired early: nothing",
            waiting(),
            s -> MACHINE.clientCallDeadlinePassed(s, "t1", "c1", LATER),
            List.of()),
        row(
            "recovery leaves a call waiting for the client as it is",
            waiting(),
            s -> MACHINE.recover(s, Set.of(SessionState.callKey("t1", "c1")), LATER),
            List.of()),
        // ---- cancel ----
        row(
            "cancel while the turn waits for the client: its call is cancelled",
            waiting(),
            s -> MACHINE.cancel(s, "t1", "ada", LATER),
            List.of(ToolCallCancelled.class, TurnCancelled.class)),
        row(
            "cancel the active turn, which waits for the client",
            waiting(),
            s -> MACHINE.cancelActive(s, "ada", LATER),
            List.of(ToolCallCancelled.class, TurnCancelled.class)),
        row(
            "cancel the active turn while an HTTP call runs: it is in doubt, the turn waits",
            waitingAndCalling(),
            s -> MACHINE.cancelActive(s, "ada", LATER),
            List.of(ToolCallCancelled.class, ToolCallInDoubt.class, TurnEnding.class)),
        row(
            "cancel the active turn with none active: nothing to do",
            idle(),
            s -> MACHINE.cancelActive(s, "ada", LATER),
            List.of()),
        // ---- steering ----
        row(
            "steer a turn that waits for the model",
            running(),
            steer(),
            List.of(UserMessageSteered.class)),
        row(
            "steer a turn that waits for the client",
            waiting(),
            steer(),
            List.of(UserMessageSteered.class)),
        refused(
            "steer a turn that waits for a human: refused",
            awaitingApproval(),
            steer(),
            "active_turn_not_steerable"),
        refused(
            "steer a turn that waits for a human and the client: refused",
            waitingAndAwaitingApproval(),
            steer(),
            "active_turn_not_steerable"),
        refused(
            "steer a turn told to end: refused", toldToEnd(), steer(), "active_turn_not_steerable"),
        row(
            "steer with no active turn: a turn like any message",
            idle(),
            steer(),
            List.of(UserMessageAccepted.class, TurnStarted.class)),
        refused(
            "steer a suspended session: refused as any message",
            fold(running(), new SessionSuspended("olga", null, T0)),
            steer(),
            "session_suspended"),
        row(
            "a text answer that did not see a steering message: the turn goes on",
            fold(running(), new UserMessageSteered("t1", "in Celsius", null, "ada", T0)),
            model(1, text("It is 50 F.")),
            List.of(AssistantReplied.class)),
        row(
            "a text answer after the steering message was shown: the turn completes",
            fold(
                waiting(),
                new UserMessageSteered("t1", "in Celsius", null, "ada", T0),
                new ToolCallSucceeded("t1", "c1", TextNode.valueOf("sunny"), T0)),
            model(2, text("Sunny, 10 C.")),
            List.of(AssistantReplied.class, TurnCompleted.class)),
        row(
            "an unseen steering message at the step budget: the turn completes",
            fold(
                answered(),
                new AssistantReplied(
                    "t1",
                    2,
                    "",
                    List.of(new TranscriptEntry.ToolCall("c2", "lookup", ARGS)),
                    1,
                    1,
                    T0),
                new ToolCallStarted("t1", "c2", "lookup", ARGS, "idem_2", T0),
                new ToolCallSucceeded("t1", "c2", TextNode.valueOf("ok"), T0),
                new UserMessageSteered("t1", "in Celsius", null, "ada", T0)),
            model(3, text("Sunny.")),
            List.of(AssistantReplied.class, TurnCompleted.class)));
  }

  @TestFactory
  Stream<DynamicTest> everyDecision() {
    return table().stream()
        .map(
            row ->
                DynamicTest.dynamicTest(
                    row.name(),
                    () -> {
                      Decision d = row.input().apply(row.given());
                      assertEquals(
                          row.events(),
                          d.events().stream().map(Object::getClass).toList(),
                          d::toString);
                      assertEquals(
                          row.refusal(),
                          d.refused() ? d.refusal().code() : null,
                          () -> String.valueOf(d.refusal()));
                      SessionState after = row.given();
                      for (SessionEvent e : d.events()) {
                        after = after.apply(e);
                      }
                      assertEquals(row.given().lastSeq() + d.events().size(), after.lastSeq());
                    }));
  }

  @Test
  void aWaitingTurnShowsItsCallsAndTheSessionAwaitsTheClient() {
    SessionState s = waiting();
    Turn turn = s.turn("t1").orElseThrow();
    assertEquals(TurnStatus.WAITING, turn.status());
    assertEquals("waiting", turn.status().wireName());
    assertEquals(SessionStatus.AWAITING_CLIENT, s.status());
    assertEquals("awaiting_client", s.status().wireName());
    ClientCall call = new ClientCall("c1", "weather", ARGS, "t1", EXPIRES);
    assertEquals(List.of(call), turn.clientCalls());
    assertEquals(List.of(call), s.pendingClientCalls());
    assertTrue(turn.settled(), "a client waiting for the turn hears it waits for it");
    assertTrue(!s.awaitsModel(turn));
  }

  @Test
  void theResultResumesTheTurnAndTheModelIsAskedAgain() {
    SessionState s =
        apply(waiting(), MACHINE.clientResult(waiting(), "t1", "c1", true, ARGS, null, LATER));
    Turn turn = s.turn("t1").orElseThrow();
    assertEquals(TurnStatus.RUNNING, turn.status());
    assertEquals(List.of(), turn.clientCalls());
    assertEquals(SessionStatus.RUNNING, s.status());
    assertTrue(s.awaitsModel(turn));
    // The budget stood still while the turn waited: the deadline moved on by the wait.
    assertEquals(T0.plusSeconds(600).plusSeconds(60), turn.deadline());
    TranscriptEntry outcome = s.transcript().get(s.transcript().size() - 1);
    assertEquals("succeeded", outcome.outcome());
    assertEquals(ARGS.toString(), outcome.content());
  }

  @Test
  void theClientsFailureIsTheCallsOutcome() {
    SessionState s = apply(waiting(), failure("c1").apply(waiting()));
    TranscriptEntry outcome = s.transcript().get(s.transcript().size() - 1);
    assertEquals("failed", outcome.outcome());
    assertEquals("error (client_error): Tool handler failed.", outcome.content());
  }

  @Test
  void theRefusalOfAnUnknownCallSaysWhatTheSdkHelpersMatch() {
    Problem p = result("t1", "call_x").apply(waiting()).refusal();
    assertEquals(Problem.Kind.INVALID, p.kind());
    assertEquals("Unknown pending tool call: call_x", p.message());
  }

  @Test
  void anApprovalDecidedWhileTheClientIsAwaitedLeavesTheTurnWaitingForTheClient() {
    SessionState s = waitingAndAwaitingApproval();
    assertEquals(TurnStatus.AWAITING_APPROVAL, s.turn("t1").orElseThrow().status());
    SessionState denied =
        apply(
            s,
            MACHINE.humanDecision(
                s, new Caller("ada", false, true), "appr_1", "deny", null, null, LATER));
    assertEquals(TurnStatus.WAITING, denied.turn("t1").orElseThrow().status());
    assertEquals(SessionStatus.AWAITING_CLIENT, denied.status());
  }

  @Test
  void aSteeringMessageIsAnsweredWithTheTurnItSteeredAndItsKeyFindsIt() {
    SessionState s =
        apply(
            running(),
            MACHINE.userMessage(running(), "ada", "in Celsius", OnBusy.STEER, "k1", "t9", LATER));
    assertTrue(s.turn("t9").isEmpty(), "no turn is opened");
    assertEquals("t1", TurnMachine.earlier(s, "k1", null).orElseThrow().id());
    TranscriptEntry steered = s.transcript().get(s.transcript().size() - 1);
    assertEquals("user", steered.role());
    assertEquals(TranscriptEntry.STEERED, steered.outcome());
    assertEquals("t1", steered.turnId());
    assertTrue(TurnMachine.unseenSteering(s, "t1"));
    assertTrue(!RequestKeys.reusedByMessage(s, "k1", "in Celsius"), "the same message");
    assertTrue(RequestKeys.reusedByMessage(s, "k1", "in Kelvin"), "another message");
  }

  @Test
  void theModelSeesASteeringMessageWhereItCouldFirstSeeIt() {
    TranscriptEntry user = new TranscriptEntry(1, "t1", "user", "q", List.of(), null, null);
    TranscriptEntry steerWhileModel = TranscriptEntry.steered(2, "t1", "s1");
    TranscriptEntry assistant =
        new TranscriptEntry(
            3,
            "t1",
            "assistant",
            "",
            List.of(
                new TranscriptEntry.ToolCall("c1", "weather", ARGS),
                new TranscriptEntry.ToolCall("c2", "lookup", ARGS)),
            null,
            null);
    TranscriptEntry r1 = TranscriptEntry.tool(4, "t1", "c1", "a", "succeeded");
    TranscriptEntry steerWhileTools = TranscriptEntry.steered(5, "t1", "s2");
    TranscriptEntry r2 = TranscriptEntry.tool(6, "t1", "c2", "b", "succeeded");
    TranscriptEntry steerNow = TranscriptEntry.steered(7, "t1", "s3");
    List<TranscriptEntry> shown =
        ContextWindow.steeredWhereSeen(
            List.of(user, steerWhileModel, assistant, r1, steerWhileTools, r2, steerNow));
    assertEquals(
        List.of(user, assistant, r1, r2, steerWhileModel, steerWhileTools, steerNow), shown);
  }

  @Test
  void aSnapshotOfAWaitingTurnRestoresItsClientCalls() {
    SessionState s =
        fold(waitingForTwo(), new UserMessageSteered("t1", "in Celsius", "k1", "ada", T0));
    SessionState back = SessionSnapshot.of(s).toState();
    assertEquals(s, back);
    assertEquals(2, back.turn("t1").orElseThrow().clientCalls().size());
    assertEquals(TurnStatus.WAITING, back.turn("t1").orElseThrow().status());
  }

  private static SessionState apply(SessionState s, Decision d) {
    assertTrue(!d.refused(), () -> String.valueOf(d.refusal()));
    return fold(s, d.events().toArray(SessionEvent[]::new));
  }
}
