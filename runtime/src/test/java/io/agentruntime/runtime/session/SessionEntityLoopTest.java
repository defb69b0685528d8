package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.FakeModel.call;
import static io.agentruntime.runtime.session.Fixtures.T0;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.SessionEvent.AssistantReplied;
import io.agentruntime.runtime.session.SessionEvent.MemoryDeleted;
import io.agentruntime.runtime.session.SessionEvent.MemoryWritten;
import io.agentruntime.runtime.session.SessionEvent.ToolCallFailed;
import io.agentruntime.runtime.session.SessionEvent.ToolCallRejected;
import io.agentruntime.runtime.session.SessionEvent.ToolCallStarted;
import io.agentruntime.runtime.session.SessionEvent.ToolCallSucceeded;
import io.agentruntime.runtime.session.SessionEvent.TurnCompleted;
import io.agentruntime.runtime.session.SessionEvent.TurnStarted;
import io.agentruntime.runtime.session.SessionEvent.UserMessageAccepted;
import io.agentruntime.runtime.tools.ToolConnection;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A turn from the message to the answer: the model's steps, tool calls of every kind, their
 * outcomes.
 */
class SessionEntityLoopTest extends AgentLoopTestSupport {

  @BeforeEach
  void created() {
    create();
  }

  @Test
  void aMessageStartsATurnThatEndsWithTheModelsAnswer() {
    Turn accepted = send("hello");

    assertEquals(TurnStatus.RUNNING, accepted.status());
    assertEquals(T0.plusSeconds(600), accepted.deadline());
    assertEquals(
        List.of(
            new UserMessageAccepted(accepted.id(), "hello", null, "ada", T0),
            new TurnStarted(accepted.id(), T0)),
        sent);
    FakeModel.Call asked = model.call(1);
    assertEquals("You are a helpful assistant.", asked.request().instructions());
    assertEquals(List.of("user: hello"), asked.conversation());
    // Every tool the policy does not deny, the built-in memory tools and schedule_wakeup included.
    assertEquals(
        List.of(
            "charge_card",
            "files__search",
            "lookup",
            "memory_delete",
            "memory_read",
            "memory_write",
            "schedule_wakeup",
            "send_email"),
        asked.offeredTools());
    assertEquals(Duration.ofMinutes(2), asked.request().timeout());

    Instant answeredAt = clock.advance(Duration.ofSeconds(3));
    asked.answer("Hi Ada");
    settled();

    assertEquals(
        List.of(
            new AssistantReplied(accepted.id(), 1, "Hi Ada", List.of(), 10, 5, answeredAt),
            new TurnCompleted(accepted.id(), "Hi Ada", answeredAt)),
        newEvents());
    Turn done = turn(accepted.id());
    assertEquals(TurnStatus.COMPLETED, done.status());
    assertEquals("Hi Ada", done.output());
    assertEquals(1, done.steps());
    SessionView view = current(run(r -> new SessionCommand.GetSession(Fixtures.ADA, r)).reply());
    assertEquals(SessionStatus.IDLE, view.status());
    assertEquals(new Usage(10, 5, BigDecimal.ZERO), view.usage());
    assertEquals(1, model.callCount());
  }

  @Test
  void aToolStepRunsTheToolThenAsksTheModelAgainWithTheResult() {
    Turn turn = send("look it up");
    model.call(1).callTools(call("c1", "lookup", "{\"q\":\"tickets\"}"));
    settled();

    List<SessionEvent> step = newEvents();
    assertEquals(List.of("assistant_message", "tool_call_started"), types(step));
    ToolCallStarted started = only(ToolCallStarted.class, step);
    assertEquals(
        new ToolCallStarted(
            turn.id(),
            "c1",
            "lookup",
            json("{\"q\":\"tickets\"}"),
            started.idempotencyKey(),
            T0,
            new ToolDefinition("http", "http://tools.internal/lookup", null, true)),
        started);
    assertTrue(started.idempotencyKey().startsWith("idem_"), started::idempotencyKey);

    FakeTools.Invocation invoked = tools.invocation(1);
    assertEquals("lookup", invoked.tool());
    assertEquals(json("{\"q\":\"tickets\"}"), invoked.arguments());
    assertEquals(started.idempotencyKey(), invoked.key());
    assertEquals(
        SessionEntity.entityId(Fixtures.TENANT, sessionId), invoked.invocation().sessionKey());
    assertEquals(Fixtures.TENANT, invoked.invocation().tenant(), "whose secrets the call may use");
    assertEquals(kit.getState().tools().get("lookup"), invoked.invocation().connection());
    assertEquals(Duration.ofMinutes(1), invoked.invocation().timeout());
    assertEquals(1, model.callCount(), "the model waits for the step's outcomes");
    assertEquals(TurnStatus.RUNNING, turn(turn.id()).status());

    invoked.succeed(json("{\"open\":2}"));
    settled();

    assertEquals(
        List.of(new ToolCallSucceeded(turn.id(), "c1", json("{\"open\":2}"), T0)), newEvents());
    assertEquals(
        List.of(
            "user: look it up",
            "assistant calls [c1 lookup {\"q\":\"tickets\"}]",
            "tool c1: {\"open\":2}"),
        model.call(2).conversation());

    model.call(2).answer("You have 2 open tickets.");
    settled();

    assertEquals(List.of("assistant_message", "turn_completed"), types(newEvents()));
    Turn done = turn(turn.id());
    assertEquals(2, done.steps());
    assertEquals("You have 2 open tickets.", done.output());
    assertEquals(new Usage(20, 10, BigDecimal.ZERO), kit.getState().usage());
  }

  @Test
  void theCallsOfOneStepAllStartBeforeAnyEnds() {
    Turn turn = send("do three things");
    model
        .call(1)
        .callTools(
            call("c1", "lookup", "{}"),
            call("c2", "charge_card", "{\"cents\":100}"),
            call("c3", "files__search", "{\"q\":\"x\"}"));
    settled();

    List<SessionEvent> step = newEvents();
    assertEquals(
        List.of("assistant_message", "tool_call_started", "tool_call_started", "tool_call_started"),
        types(step));
    assertEquals(
        List.of("lookup", "charge_card", "search"),
        tools.invocations().stream().map(FakeTools.Invocation::tool).toList());
    assertInstanceOf(ToolConnection.Mcp.class, tools.of("search").invocation().connection());
    Set<String> keys =
        tools.invocations().stream().map(FakeTools.Invocation::key).collect(Collectors.toSet());
    assertEquals(3, keys.size(), "each call has its own idempotency key");
    assertEquals(
        keys,
        all(ToolCallStarted.class, step).stream()
            .map(ToolCallStarted::idempotencyKey)
            .collect(Collectors.toSet()));

    tools.of("search").succeed(json("[\"a.txt\"]"));
    tools.of("lookup").succeed(json("{}"));
    settled();
    assertEquals(1, model.callCount(), "one call of the step is still running");

    tools.of("charge_card").fail("card_declined", "insufficient funds");
    settled();

    assertEquals(
        List.of("tool_call_succeeded", "tool_call_succeeded", "tool_call_failed"),
        types(newEvents()));
    assertEquals(
        List.of(
            "user: do three things",
            "assistant calls [c1 lookup {}, c2 charge_card {\"cents\":100}, c3 files__search {\"q\":\"x\"}]",
            "tool c3: [\"a.txt\"]",
            "tool c1: {}",
            "tool c2: error (card_declined): insufficient funds"),
        model.call(2).conversation());
    model.call(2).answer("done");
    settled();
    assertEquals(TurnStatus.COMPLETED, turn(turn.id()).status());
  }

  @Test
  void builtInMemoryToolsRunInPlaceWithinTheStep() {
    Turn turn = send("remember Paris");
    model
        .call(1)
        .callTools(
            call("m1", "memory_write", "{\"key\":\"city\",\"value\":{\"name\":\"Paris\"}}"),
            call("m2", "memory_read", "{\"key\":\"user_name\"}"),
            call("m3", "memory_delete", "{\"key\":\"user_name\"}"),
            call("m4", "memory_read", "{\"key\":\"user_name\"}"));
    settled();

    assertEquals(
        List.of(
            new AssistantReplied(
                turn.id(),
                1,
                "",
                all(AssistantReplied.class, journal()).get(0).toolCalls(),
                10,
                5,
                T0),
            new MemoryWritten("city", json("{\"name\":\"Paris\"}"), "agent", T0),
            new ToolCallSucceeded(turn.id(), "m1", json("{\"written\":\"city\"}"), T0),
            new ToolCallSucceeded(turn.id(), "m2", json("\"Ada\""), T0),
            new MemoryDeleted("user_name", "agent", T0),
            new ToolCallSucceeded(turn.id(), "m3", json("{\"deleted\":\"user_name\"}"), T0),
            new ToolCallSucceeded(turn.id(), "m4", json("null"), T0)),
        newEvents());
    assertEquals(Map.of("city", json("{\"name\":\"Paris\"}")), kit.getState().memory());
    assertTrue(tools.invocations().isEmpty(), "built-in tools are never sent to the executor");
    assertEquals(2, model.callCount(), "all outcomes are in: the model is asked again at once");
  }

  @Test
  void aMemoryWriteThatBreaksTheMemoryRulesFailsAndChangesNothing() {
    Turn turn = send("remember badly");
    model
        .call(1)
        .callTools(
            call("m1", "memory_write", "{\"key\":\"no spaces allowed\",\"value\":1}"),
            call("m2", "memory_write", "{\"key\":\"city\"}"),
            call(
                "m3",
                "memory_write",
                "{\"key\":\"big\",\"value\":\""
                    + "x".repeat(settings.maxMemoryValueBytes())
                    + "\"}"));
    settled();

    List<ToolCallFailed> failed = all(ToolCallFailed.class, newEvents());
    assertEquals(
        List.of("m1", "m2", "m3"), failed.stream().map(ToolCallFailed::toolCallId).toList());
    failed.forEach(f -> assertEquals("invalid_arguments", f.code(), f::toString));
    assertEquals(Map.of("user_name", json("\"Ada\"")), kit.getState().memory());
    assertEquals(TurnStatus.RUNNING, turn(turn.id()).status());
  }

  @Test
  void unknownToolsMalformedArgumentsAndDeniedToolsGetAnOutcomeWithoutACall() {
    Turn turn = send("try everything");
    model
        .call(1)
        .callTools(
            call("u1", "no_such_tool", "{}"),
            call("u2", "lookup", "not json"),
            call("u3", "lookup", "[1,2]"),
            call("u4", "delete_repo", "{\"repo\":\"main\"}"),
            call("u5", "files__read_file", "{}"));
    settled();

    List<SessionEvent> step = newEvents();
    assertEquals(
        List.of(
            "assistant_message",
            "tool_call_failed",
            "tool_call_failed",
            "tool_call_failed",
            "tool_call_rejected",
            "tool_call_failed"),
        types(step));
    List<ToolCallFailed> failed = all(ToolCallFailed.class, step);
    assertEquals(
        List.of("unknown_tool", "invalid_arguments", "invalid_arguments", "unknown_tool"),
        failed.stream().map(ToolCallFailed::code).toList());
    assertEquals("u4", only(ToolCallRejected.class, step).toolCallId());
    assertTrue(tools.invocations().isEmpty());

    List<String> conversation = model.call(2).conversation();
    assertEquals(
        "assistant calls [u1 no_such_tool {}, u2 lookup not json, u3 lookup [1,2], "
            + "u4 delete_repo {\"repo\":\"main\"}, u5 files__read_file {}]",
        conversation.get(1));
    assertTrue(
        conversation.get(2).startsWith("tool u1: error (unknown_tool)"), conversation::toString);
    assertTrue(
        conversation
            .get(5)
            .startsWith("tool u4: rejected: the session's policy denies delete_repo"),
        conversation::toString);
    assertNotEquals(TurnStatus.FAILED, turn(turn.id()).status());
  }

  @Test
  void aToolExecutorBreakingItsContractStillEndsTheCallOnceAndNeverRunsItAgain() {
    send("charge twice?");
    model.call(1).callTools(call("c1", "charge_card", "{}"), call("c2", "lookup", "{}"));
    settled();
    newEvents();

    tools.of("charge_card").end(null);
    tools.of("lookup").future().completeExceptionally(new IllegalStateException("executor bug"));
    settled();

    List<ToolCallFailed> failed = all(ToolCallFailed.class, newEvents());
    assertEquals(List.of("c1", "c2"), failed.stream().map(ToolCallFailed::toolCallId).toList());
    failed.forEach(f -> assertEquals("tool_error", f.code(), f::toString));
    assertEquals(2, tools.invocations().size(), "no call was made a second time");
    assertEquals(2, model.callCount());
  }

  @Test
  void theNextStepShowsTheModelTheWholeTurnSoFar() {
    Turn turn = send("two steps");
    model.call(1).callTools(call("c1", "lookup", "{\"n\":1}"));
    settled();
    tools.invocation(1).succeed(json("1"));
    settled();
    model
        .call(2)
        .reply(
            new io.agentruntime.runtime.model.ModelReply(
                "thinking", List.of(call("c2", "lookup", "{\"n\":2}")), 3, 4));
    settled();
    tools.invocation(2).succeed(json("2"));
    settled();

    assertEquals(
        List.of(
            "user: two steps",
            "assistant calls [c1 lookup {\"n\":1}]",
            "tool c1: 1",
            "assistant calls [c2 lookup {\"n\":2}]",
            "tool c2: 2"),
        model.call(3).conversation());
    assertEquals(2, turn(turn.id()).steps());
    assertEquals("thinking", all(AssistantReplied.class, journal()).get(1).text());
  }

  @Test
  void aClientWaitingForTheTurnIsAnsweredTheMomentItSettles() {
    Turn turn = send("hello");
    var waiting = testKit.<SessionReply>createTestProbe();
    kit.runCommand(new SessionCommand.AwaitTurn(Fixtures.ADA, turn.id(), waiting.ref()));
    waiting.expectNoMessage(Duration.ofMillis(100));

    model.call(1).answer("Hi Ada");
    settled();

    Turn done = assertInstanceOf(SessionReply.TurnFound.class, waiting.receiveMessage()).turn();
    assertEquals(TurnStatus.COMPLETED, done.status());
    assertEquals("Hi Ada", done.output());
    var late = testKit.<SessionReply>createTestProbe();
    kit.runCommand(new SessionCommand.AwaitTurn(Fixtures.ADA, turn.id(), late.ref()));
    assertEquals(
        done,
        assertInstanceOf(SessionReply.TurnFound.class, late.receiveMessage()).turn(),
        "a settled turn answers at once");
  }
}
