package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.SessionCommand.SendUserMessage;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A turn in one request ({@code ?waitSeconds=}): the message's asker hears its turn once it has
 * settled, or as it stands when the asker's deadline comes first, and a message naming its turn
 * finds that turn again instead of opening a second one.
 */
class SessionEntityOneRequestTurnTest extends AgentLoopTestSupport {

  @BeforeEach
  void session() {
    create();
  }

  @Test
  void theAskerHearsTheTurnOnceItHasSettled() {
    TestProbe<SessionReply> asker = testKit.createTestProbe();
    kit.runCommand(
        new SendUserMessage(
            Fixtures.ADA,
            "hello",
            OnBusy.QUEUE,
            null,
            "turn_named",
            clock.millis() + 10_000,
            asker.ref()));
    asker.expectNoMessage(Duration.ofMillis(200));

    model.call(1).answer("Hi Ada");
    settled();

    SessionReply.TurnAccepted answer =
        assertInstanceOf(SessionReply.TurnAccepted.class, asker.receiveMessage());
    assertEquals("turn_named", answer.turn().id());
    assertEquals(TurnStatus.COMPLETED, answer.turn().status());
    assertEquals("Hi Ada", answer.turn().output());
    assertFalse(answer.duplicate());
  }

  @Test
  void theAskerWhoseDeadlineComesFirstHearsTheTurnAsItStandsAndNothingLater() {
    TestProbe<SessionReply> asker = testKit.createTestProbe();
    kit.runCommand(
        new SendUserMessage(
            Fixtures.ADA, "hello", OnBusy.QUEUE, null, null, clock.millis() + 300, asker.ref()));

    SessionReply.TurnAccepted answer =
        assertInstanceOf(
            SessionReply.TurnAccepted.class, asker.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(TurnStatus.RUNNING, answer.turn().status());
    assertFalse(answer.turn().settled());

    model.call(1).answer("Hi Ada");
    settled();
    asker.expectNoMessage(Duration.ofMillis(200));
    assertEquals(TurnStatus.COMPLETED, turn(answer.turn().id()).status());
  }

  @Test
  void aMessageNamingATurnThatExistsIsAnsweredWithThatTurnAndChangesNothing() {
    TestProbe<SessionReply> first = testKit.createTestProbe();
    kit.runCommand(
        new SendUserMessage(
            Fixtures.ADA, "hello", OnBusy.QUEUE, null, "turn_once", 0, first.ref()));
    SessionReply.TurnAccepted accepted =
        assertInstanceOf(SessionReply.TurnAccepted.class, first.receiveMessage());
    assertEquals("turn_once", accepted.turn().id());
    assertFalse(accepted.duplicate());
    int journaled = journal().size();

    TestProbe<SessionReply> again = testKit.createTestProbe();
    kit.runCommand(
        new SendUserMessage(
            Fixtures.ADA, "hello", OnBusy.QUEUE, null, "turn_once", 0, again.ref()));
    SessionReply.TurnAccepted repeated =
        assertInstanceOf(SessionReply.TurnAccepted.class, again.receiveMessage());
    assertEquals("turn_once", repeated.turn().id());
    assertTrue(repeated.duplicate());
    assertEquals(journaled, journal().size(), "no second turn");

    model.call(1).answer("Hi Ada");
    settled();
  }
}
