package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.BOB;
import static io.agentruntime.runtime.session.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.SessionCommand.GetSession;
import io.agentruntime.runtime.session.SessionCommand.GetTranscript;
import io.agentruntime.runtime.session.SessionCommand.GetTurn;
import io.agentruntime.runtime.session.SessionCommand.ListTurns;
import io.agentruntime.runtime.session.SessionCommand.SendUserMessage;
import io.agentruntime.runtime.session.SessionEvent.TurnCancelled;
import io.agentruntime.runtime.session.SessionEvent.TurnStarted;
import io.agentruntime.runtime.session.SessionEvent.UserMessageAccepted;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * User messages open turns (the model never answers here, so a started turn keeps running); turns
 * are read one by one, in pages, and as a transcript.
 */
class SessionEntityTurnsTest extends SessionEntityTestSupport {

  SessionEntityTurnsTest() {
    super(SMALL_LIMITS);
  }

  @BeforeEach
  void created() {
    createSession();
  }

  private Turn send(String content, OnBusy onBusy, String idempotencyKey) {
    var result = run(r -> new SendUserMessage(ADA, content, onBusy, idempotencyKey, r));
    SessionReply.TurnAccepted accepted =
        assertInstanceOf(SessionReply.TurnAccepted.class, result.reply());
    assertFalse(accepted.duplicate());
    return accepted.turn();
  }

  @Test
  void aMessageOnAnIdleSessionStartsItsTurn() {
    Instant at = clock.advance(Duration.ofSeconds(1));
    var result =
        run(r -> new SendUserMessage(ADA, "Summarise my tickets", OnBusy.QUEUE, "key-1", r));

    SessionReply.TurnAccepted accepted =
        assertInstanceOf(SessionReply.TurnAccepted.class, result.reply());
    Turn turn = accepted.turn();
    assertFalse(accepted.duplicate());
    assertTrue(turn.id().startsWith("turn_"));
    assertEquals(
        new Turn(turn.id(), TurnStatus.RUNNING, 0, null, null, at, at, at.plusSeconds(600), null),
        turn);
    assertEquals(
        List.of(
            new UserMessageAccepted(turn.id(), "Summarise my tickets", "key-1", "ada", at),
            new TurnStarted(turn.id(), at)),
        result.events());

    SessionView view = current(run(r -> new GetSession(ADA, r)).reply());
    assertEquals(SessionStatus.RUNNING, view.status());
    assertEquals(turn, view.currentTurn());
    assertEquals(0, view.queuedMessages());
    assertEquals(3, view.lastSeq());
    assertEquals(1, model.callCount(), "the model is asked at once");
  }

  @Test
  void messagesQueueBehindTheUnfinishedTurn() {
    Turn first = send("one", OnBusy.QUEUE, null);
    var result = run(r -> new SendUserMessage(ADA, "two", null, null, r));
    Turn second = assertInstanceOf(SessionReply.TurnAccepted.class, result.reply()).turn();

    assertFalse(first.id().equals(second.id()));
    assertEquals(TurnStatus.QUEUED, second.status());
    assertEquals(
        List.of(new UserMessageAccepted(second.id(), "two", null, "ada", Fixtures.T0)),
        result.events());
    SessionView view = current(run(r -> new GetSession(ADA, r)).reply());
    assertEquals(first, view.currentTurn());
    assertEquals(1, view.queuedMessages());
    assertEquals(1, model.callCount(), "a queued turn waits");
  }

  @Test
  void aRetryWithTheSameIdempotencyKeyAnswersTheSameTurnAndPersistsNothing() {
    Turn first = send("Summarise my tickets", OnBusy.QUEUE, "key-1");
    SessionState before = kit.getState();

    var retry =
        run(r -> new SendUserMessage(ADA, "Summarise my tickets", OnBusy.REJECT, "key-1", r));

    assertTrue(retry.hasNoEvents());
    assertEquals(before, retry.state());
    assertEquals(new SessionReply.TurnAccepted(first, true), retry.reply());
  }

  @Test
  void rejectRefusesAMessageWhileATurnIsUnfinished() {
    Turn first = send("one", OnBusy.REJECT, null);
    Problem busy = refused(r -> new SendUserMessage(ADA, "two", OnBusy.REJECT, null, r));
    assertProblem(busy, Problem.Kind.CONFLICT, "session_busy", null);
    assertTrue(busy.message().contains(first.id()), busy::message);
  }

  @Test
  void interruptCancelsTheUnfinishedTurnsThenOpensTheNewOne() {
    Turn first = send("one", OnBusy.QUEUE, null);
    Turn second = send("two", OnBusy.QUEUE, null);
    Instant at = clock.advance(Duration.ofSeconds(5));

    var result = run(r -> new SendUserMessage(ADA, "stop, do this", OnBusy.INTERRUPT, null, r));

    Turn third = assertInstanceOf(SessionReply.TurnAccepted.class, result.reply()).turn();
    String why = "interrupted by a new message";
    assertEquals(
        List.of(
            new TurnCancelled(first.id(), why, "ada", at),
            new TurnCancelled(second.id(), why, "ada", at),
            new UserMessageAccepted(third.id(), "stop, do this", null, "ada", at),
            new TurnStarted(third.id(), at)),
        result.events());
    for (Turn earlier : List.of(first, second)) {
      Turn cancelled = turn(earlier.id());
      assertEquals(TurnStatus.CANCELLED, cancelled.status());
      assertEquals(new TurnError("cancelled", why), cancelled.error());
      assertEquals(at, cancelled.updatedAt());
    }
    SessionView view = current(run(r -> new GetSession(ADA, r)).reply());
    assertEquals(third, view.currentTurn());
    assertEquals(TurnStatus.RUNNING, third.status());
    assertEquals(0, view.queuedMessages());
  }

  @Test
  void interruptOnAnIdleSessionJustStartsTheTurn() {
    var result = run(r -> new SendUserMessage(ADA, "hello", OnBusy.INTERRUPT, null, r));
    assertEquals(
        List.of("user_message", "turn_started"),
        result.events().stream().map(SessionEvent::type).toList());
  }

  @Test
  void anEmptyOrOversizedMessageIsRefused() {
    for (String content : new String[] {"", "   \n", null}) {
      assertProblem(
          refused(r -> new SendUserMessage(ADA, content, OnBusy.QUEUE, null, r)),
          Problem.Kind.INVALID,
          "invalid_field",
          "content");
    }
    String tooLong = "x".repeat(settings.maxMessageChars() + 1);
    assertProblem(
        refused(r -> new SendUserMessage(ADA, tooLong, OnBusy.QUEUE, null, r)),
        Problem.Kind.TOO_LARGE,
        "too_large",
        "content");
    send("x".repeat(settings.maxMessageChars()), OnBusy.QUEUE, null);
  }

  @Test
  void aTurnIsFoundByItsId() {
    Turn sent = send("hello", OnBusy.QUEUE, null);
    var result = run(r -> new GetTurn(ADA, sent.id(), r));
    assertTrue(result.hasNoEvents());
    assertEquals(new SessionReply.TurnFound(sent), result.reply());
  }

  @Test
  void anUnknownTurnIsNotFound() {
    assertProblem(
        refused(r -> new GetTurn(ADA, "turn_nope", r)),
        Problem.Kind.NOT_FOUND,
        "turn_not_found",
        "turnId");
    Turn sent = send("hello", OnBusy.QUEUE, null);
    assertEquals(Problem.notFound(), refused(r -> new GetTurn(BOB, sent.id(), r)));
  }

  @Test
  void turnsAreListedNewestFirstInPages() {
    Turn t1 = send("1", OnBusy.QUEUE, null);
    Turn t2 = send("2", OnBusy.QUEUE, null);
    Turn t3 = send("3", OnBusy.QUEUE, null);
    Turn t4 = send("4", OnBusy.QUEUE, null);
    Turn t5 = send("5", OnBusy.QUEUE, null);

    assertEquals(new SessionReply.TurnList(List.of(t5, t4), t4.id()), list(2, null));
    assertEquals(new SessionReply.TurnList(List.of(t3, t2), t2.id()), list(2, t4.id()));
    assertEquals(new SessionReply.TurnList(List.of(t1), null), list(2, t2.id()));
    assertEquals(new SessionReply.TurnList(List.of(t5, t4, t3, t2, t1), null), list(10, null));
    assertEquals(new SessionReply.TurnList(List.of(t2, t1), null), list(2, t3.id()));
  }

  @Test
  void listingTurnsOfAFreshSessionGivesAnEmptyLastPage() {
    assertEquals(new SessionReply.TurnList(List.of(), null), list(10, null));
  }

  @Test
  void aBadCursorOrLimitIsRefused() {
    send("1", OnBusy.QUEUE, null);
    assertProblem(
        refused(r -> new ListTurns(ADA, 10, "turn_unknown", r)),
        Problem.Kind.INVALID,
        "invalid_field",
        "cursor");
    for (int limit : new int[] {0, -1}) {
      assertProblem(
          refused(r -> new ListTurns(ADA, limit, null, r)),
          Problem.Kind.INVALID,
          "invalid_field",
          "limit");
    }
  }

  @Test
  void theTranscriptHoldsEachMessageWithItsJournalSequenceNumber() {
    Turn t1 = send("first", OnBusy.QUEUE, null);
    Turn t2 = send("second", OnBusy.INTERRUPT, null);

    var result = run(r -> new GetTranscript(ADA, r));

    assertTrue(result.hasNoEvents());
    // seq 1 created the session, 2 the first message, 3 started its turn, 4 cancelled it,
    // 5 the second message, 6 started its turn
    assertEquals(
        new SessionReply.TranscriptFound(
            List.of(
                new TranscriptEntry(2, t1.id(), "user", "first", List.of(), null, null),
                new TranscriptEntry(5, t2.id(), "user", "second", List.of(), null, null))),
        result.reply());
  }

  @Test
  void aFreshSessionHasAnEmptyTranscript() {
    var reply =
        assertInstanceOf(
            SessionReply.TranscriptFound.class, run(r -> new GetTranscript(ADA, r)).reply());
    assertTrue(reply.messages().isEmpty());
    assertNull(current(run(r -> new GetSession(ADA, r)).reply()).currentTurn());
    assertEquals(T0, kit.getState().createdAt());
  }

  private SessionReply list(int limit, String after) {
    var result = run(r -> new ListTurns(ADA, limit, after, r));
    assertTrue(result.hasNoEvents());
    return result.reply();
  }

  private Turn turn(String id) {
    return assertInstanceOf(SessionReply.TurnFound.class, run(r -> new GetTurn(ADA, id, r)).reply())
        .turn();
  }
}
