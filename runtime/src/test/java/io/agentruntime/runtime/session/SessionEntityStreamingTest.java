package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The model is asked to stream only while someone follows the session live: a stream costs the
 * model, the connection and the entity a message per piece, which nobody would read otherwise.
 */
class SessionEntityStreamingTest extends AgentLoopTestSupport {

  @BeforeEach
  void session() {
    create();
  }

  @Test
  void aSessionNobodyFollowsAsksForWholeAnswers() {
    send("hello");

    assertFalse(model.call(1).streamed());
    model.call(1).answer("Hi Ada");
    assertEquals("Hi Ada", kit.getState().turns().get(0).output());
  }

  @Test
  void aFollowerGetsTheDeltasAndTheStreamEndsWithTheLastFollower() {
    TestProbe<StreamItem> follower = testKit.createTestProbe();
    assertInstanceOf(
        SessionReply.Subscribed.class,
        run(r -> new SessionCommand.Subscribe(Fixtures.ADA, follower.ref(), r)).reply());

    Turn followed = send("hello");
    FakeModel.Call call = model.call(1);
    assertTrue(call.streamed(), "followed: the model streams");
    call.delta("Hi ");
    call.delta("Ada");
    assertEquals(new StreamItem.Delta(followed.id(), "Hi "), deltaOf(follower));
    assertEquals(new StreamItem.Delta(followed.id(), "Ada"), deltaOf(follower));
    call.answer("Hi Ada");

    kit.runCommand(new SessionCommand.Unsubscribe(follower.ref()));
    send("again");
    assertFalse(model.call(2).streamed(), "nobody follows any more");
  }

  /**
   * A glance reads the view (no memory, MCP tools without what they discovered) in one plain
   * answer; with a follower it subscribes it too, and the first event the follower gets is the one
   * after the glance's lastSeq; another user's glance finds no session.
   */
  @Test
  void aGlanceWithAFollowerAnswersTheViewAndSubscribesFromItsLastEvent() {
    TestProbe<StreamItem> follower = testKit.createTestProbe();
    SessionReply reply =
        run(r -> new SessionCommand.Glance(Fixtures.ADA, follower.ref(), r)).reply();
    SessionView view = assertInstanceOf(SessionReply.Glanced.class, reply).view();
    assertEquals(kit.getState().lastSeq(), view.lastSeq());
    assertTrue(view.memory().isEmpty());

    send("hello");
    StreamItem first = follower.receiveMessage(Duration.ofSeconds(5));
    assertEquals(
        view.lastSeq() + 1, assertInstanceOf(StreamItem.Journaled.class, first).seq(), "" + first);
    assertTrue(model.call(1).streamed(), "followed: the model streams");

    assertInstanceOf(
        SessionReply.Rejected.class,
        run(r -> new SessionCommand.Glance(new Caller("mallory", false, false), null, r)).reply());
  }

  /** The next delta the follower gets (journaled events in between are passed over). */
  private static StreamItem.Delta deltaOf(TestProbe<StreamItem> follower) {
    for (int i = 0; i < 20; i++) {
      StreamItem item = follower.receiveMessage(Duration.ofSeconds(5));
      if (item instanceof StreamItem.Delta delta) {
        return delta;
      }
    }
    throw new AssertionError("no delta among 20 items");
  }
}
