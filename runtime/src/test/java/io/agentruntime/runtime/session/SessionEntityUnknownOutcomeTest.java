package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.FakeModel.call;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.SessionEvent.ToolCallInDoubt;
import io.agentruntime.runtime.session.SessionEvent.ToolCallSucceeded;
import io.agentruntime.runtime.tools.ToolResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tool's answer that never came (decision 0016), through the entity and its driver: an idempotent
 * call is sent again with the same key after the retry pause, a call with side effects goes in
 * doubt and is never sent again by itself, and nothing starts once the turn's budget is spent.
 */
class SessionEntityUnknownOutcomeTest extends AgentLoopTestSupport {

  private static final ToolResult NO_ANSWER =
      new ToolResult.Unknown("tool_timeout", "the tool did not answer within PT1M");

  @Override
  TurnSettings turnSettings() {
    return new TurnSettings(
        TURNS.approvalTimeout(),
        TURNS.modelTimeout(),
        TURNS.toolTimeout(),
        TURNS.maxToolResultBytes(),
        TURNS.idleTimeout(),
        TURNS.contextTurns(),
        Duration.ofMillis(200));
  }

  @BeforeEach
  void session() {
    create();
  }

  @Test
  void anIdempotentCallWithoutAnAnswerIsSentAgainWithTheSameKey() {
    send("look it up");
    model.call(1).callTools(call("c1", "lookup", "{}"));
    settled();
    newEvents();

    tools.invocation(1).end(NO_ANSWER);
    settled();
    assertTrue(newEvents().isEmpty(), "nothing journaled: no outcome is known");
    awaitState(s -> tools.invocations().size() == 2);

    assertEquals(tools.invocation(2).key(), tools.invocations().get(0).key());
    tools.invocation(2).succeed(json("{\"n\":1}"));
    settled();
    assertEquals(
        List.of("c1"),
        all(ToolCallSucceeded.class, newEvents()).stream()
            .map(ToolCallSucceeded::toolCallId)
            .toList());
  }

  @Test
  void aCallWithSideEffectsWithoutAnAnswerIsInDoubtAndNeverSentAgainByItself()
      throws InterruptedException {
    send("charge");
    model.call(1).callTools(call("c1", "charge_card", "{}"));
    settled();
    newEvents();

    tools.invocation(1).end(NO_ANSWER);
    settled();

    ToolCallInDoubt doubt = only(ToolCallInDoubt.class, newEvents());
    assertEquals("the tool did not answer within PT1M", doubt.reason());
    assertEquals(Approval.IN_DOUBT, pendingApprovals().get(0).reason());
    assertEquals(TurnStatus.AWAITING_APPROVAL, kit.getState().activeTurn().orElseThrow().status());
    Thread.sleep(600); // three retry pauses
    assertEquals(1, tools.invocations().size(), "never sent again without a human");
    assertEquals(1, model.callCount());
  }

  @Test
  void aRetryWhosePauseOutlivesTheTurnIsNeverSent() throws InterruptedException {
    Turn turn = send("look it up");
    model.call(1).callTools(call("c1", "lookup", "{}"));
    settled();
    tools.invocation(1).end(NO_ANSWER);
    settled();
    newEvents();

    clock.advance(Duration.ofSeconds(601));
    kit.runCommand(new InternalCommand.TurnDeadlinePassed(turn.id()));
    Thread.sleep(600); // past the retry pause

    assertEquals(1, tools.invocations().size(), "in doubt now: not sent again by itself");
    assertEquals(
        PendingCall.Stage.IN_DOUBT,
        kit.getState().pendingCalls().values().iterator().next().stage());
  }

  @Test
  void nothingStartsAfterTheTurnsDeadline() {
    Turn turn = send("slow model");
    clock.advance(Duration.ofSeconds(601));

    model.call(1).callTools(call("c1", "lookup", "{}"));
    settled();

    assertEquals(
        List.of("assistant_message", "tool_call_cancelled", "turn_failed"), types(newEvents()));
    assertEquals("turn_timeout", turn(turn.id()).error().code());
    assertTrue(tools.invocations().isEmpty(), "no call was sent");
  }
}
