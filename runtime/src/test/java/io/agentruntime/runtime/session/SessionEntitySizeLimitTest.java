package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.session.SessionCommand.CreateSession;
import io.agentruntime.runtime.tools.ToolConnection;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A session's state is bounded (max-session-size, here 64 KiB), so that its snapshot, one Cassandra
 * mutation, can always be written: what would take it past the bound is refused with 413
 * session_too_large naming the field, and nothing is journaled (review finding 11).
 */
class SessionEntitySizeLimitTest extends AgentLoopTestSupport {

  SessionEntitySizeLimitTest() {
    super("agent-runtime.session { max-session-size = 64KiB, max-memory-value-size = 64KiB }");
  }

  private static String text(int chars) {
    return "x".repeat(chars);
  }

  @Test
  void aMessageThatWouldTakeTheSessionPastTheBoundIsRefused() {
    create();
    send(text(20_000));
    send(text(20_000)); // queued behind the first: in the transcript already

    Problem tooLarge =
        refused(r -> new SessionCommand.SendUserMessage(ADA, text(30_000), OnBusy.QUEUE, null, r));

    assertProblem(tooLarge, Problem.Kind.TOO_LARGE, "session_too_large", "content");
    assertTrue(tooLarge.message().startsWith("content: "), tooLarge.message());
    assertTrue(SessionSize.of(kit.getState()) < 64 * 1024);
  }

  @Test
  void aTurnThatTookTheSessionPastTheBoundEndsAtTheModelsNextReply() {
    create();
    Turn turn = send(text(20_000));
    // The model's reply takes the session past 64 KiB: it was under the bound when asked.
    model.call(1).callTools(FakeModel.call("c1", "lookup", "{\"q\": \"" + text(60_000) + "\"}"));
    settled();
    tools.invocation(1).succeed(TextNode.valueOf("ok"));
    settled();

    assertTrue(
        SessionSize.of(kit.getState()) > 64 * 1024, () -> "" + SessionSize.of(kit.getState()));
    model.call(2).answer("a reply that is not journaled");
    Turn ended = awaitState(s -> s.turn(turn.id()).orElseThrow().settled()).turn(turn.id()).get();

    assertEquals(TurnStatus.FAILED, ended.status());
    assertEquals("session_too_large", ended.error().code());
    assertTrue(
        kit.getState().transcript().stream()
            .noneMatch(e -> "a reply that is not journaled".equals(e.content())));
  }

  @Test
  void aMemoryValueOverTheBoundIsRefusedAndShrinkingOneIsNot() {
    create();
    run(r -> new SessionCommand.WriteMemory(ADA, "big", TextNode.valueOf(text(40_000)), r));

    Problem tooLarge =
        refused(
            r -> new SessionCommand.WriteMemory(ADA, "more", TextNode.valueOf(text(30_000)), r));
    var replaced =
        run(r -> new SessionCommand.WriteMemory(ADA, "big", TextNode.valueOf(text(50_000)), r));

    assertProblem(tooLarge, Problem.Kind.TOO_LARGE, "session_too_large", "value");
    assertInstanceOf(SessionReply.Current.class, replaced.reply(), "a bigger value in its place");
  }

  @Test
  void aToolWhoseSchemaWouldTakeTheSessionPastTheBoundIsRefused() {
    create();
    var schema = JsonNodeFactory.instance.objectNode().put("description", text(70_000));
    ToolConnection.Http huge =
        new ToolConnection.Http("huge", "http://127.0.0.1:9/h", "", schema, false, null);

    Problem tooLarge = refused(r -> new SessionCommand.ConnectTool(ADA, huge, r));

    assertProblem(tooLarge, Problem.Kind.TOO_LARGE, "session_too_large", "tools");
  }

  @Test
  void aSessionCreatedOverTheBoundIsRefusedAndNothingIsCreated() {
    SessionSpec spec = loopSpec(new Limits(8, 600, 0, null));
    SessionSpec big =
        new SessionSpec(
            spec.agent(),
            spec.tools(),
            spec.permissions(),
            Map.of("a", TextNode.valueOf(text(20_000)), "b", TextNode.valueOf(text(20_000))),
            spec.metadata());

    Problem tooLarge = refused(r -> new CreateSession(ADA, big, CreateMode.CREATE_NEW, r));

    assertProblem(tooLarge, Problem.Kind.TOO_LARGE, "session_too_large", "memory");
    assertTrue(!kit.getState().exists());
  }
}
