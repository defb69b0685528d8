package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.FakeModel.call;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A model call carries the most recent turns only (agent-runtime.turns.context-turns), whole turns.
 */
class SessionEntityContextWindowTest extends AgentLoopTestSupport {

  @Override
  TurnSettings turnSettings() {
    return new TurnSettings(
        Duration.ofHours(1),
        Duration.ofMinutes(2),
        Duration.ofMinutes(1),
        512,
        Duration.ofHours(1),
        2);
  }

  @BeforeEach
  void created() {
    create();
  }

  @Test
  void theModelSeesTheLastTurnsWithTheirToolCallsAndNothingQueued() {
    send("first");
    model.call(1).answer("one");
    settled();
    send("second");
    model.call(2).callTools(call("c1", "lookup", "{\"q\":\"a\"}"));
    settled();
    tools.invocation(1).succeed(json("{\"found\":1}"));
    settled();
    model.call(3).answer("two");
    settled();

    send("third");
    send("fourth"); // queued behind the third
    settled();
    assertEquals(
        List.of(
            "user: second",
            "assistant calls [c1 lookup {\"q\":\"a\"}]",
            "tool c1: {\"found\":1}",
            "assistant: two",
            "user: third"),
        model.call(4).conversation(),
        "the window holds two turns: the second whole, with its tool call and outcome, and the third");

    model.call(4).answer("three");
    settled();
    assertEquals(
        List.of("user: third", "assistant: three", "user: fourth"), model.call(5).conversation());
    assertEquals(
        List.of(
            "user: first",
            "assistant: one",
            "user: second",
            "assistant: two",
            "user: third",
            "user: fourth",
            "assistant: three"),
        transcript(),
        "the transcript keeps everything, in journal order");
  }

  private List<String> transcript() {
    SessionReply reply = run(r -> new SessionCommand.GetTranscript(Fixtures.ADA, r)).reply();
    return ((SessionReply.TranscriptFound) reply)
        .messages().stream()
            .filter(e -> !"tool".equals(e.role()) && e.toolCalls().isEmpty())
            .map(e -> e.role() + ": " + e.content())
            .toList();
  }
}
