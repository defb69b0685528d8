package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.T0;
import static io.agentruntime.runtime.session.Fixtures.TENANT;
import static io.agentruntime.runtime.session.Fixtures.json;
import static io.agentruntime.runtime.session.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.SessionEvent.MemoryWritten;
import io.agentruntime.runtime.session.SessionEvent.SessionClosed;
import io.agentruntime.runtime.session.SessionEvent.SessionCreated;
import io.agentruntime.runtime.session.SessionEvent.TurnCancelled;
import io.agentruntime.runtime.session.SessionEvent.UserMessageAccepted;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Folding events into state, without an actor: what the session derives from its history. */
class SessionStateTest {

  private static final Instant T1 = T0.plusSeconds(1);
  private static final Instant T2 = T0.plusSeconds(2);

  private static SessionState fold(SessionEvent... events) {
    SessionState s = SessionState.empty();
    for (SessionEvent e : events) {
      s = s.apply(e);
    }
    return s;
  }

  private static SessionCreated created() {
    return new SessionCreated(new Owner(TENANT, "ada"), spec(), T0);
  }

  private static UserMessageAccepted message(String turnId, String key, Instant at) {
    return new UserMessageAccepted(turnId, "hi " + turnId, key, "ada", at);
  }

  @Test
  void anEmptySessionDoesNotExist() {
    SessionState empty = SessionState.empty();
    assertFalse(empty.exists());
    assertEquals(0, empty.lastSeq());
    assertEquals(SessionStatus.IDLE, empty.status());
    assertEquals(Optional.empty(), empty.currentTurn());
  }

  @Test
  void creationTakesEverythingFromTheSpec() {
    SessionState s = fold(created());
    assertTrue(s.exists());
    assertEquals(new Owner(TENANT, "ada"), s.owner());
    assertEquals(spec(), s.createdWith());
    assertEquals(spec().agent(), s.agent());
    assertEquals(spec().memory(), s.memory());
    assertEquals(List.of("files", "send_email"), List.copyOf(s.tools().keySet()));
    assertEquals(spec().permissions(), s.permissions());
    assertEquals(T0, s.createdAt());
    assertEquals(T0, s.updatedAt());
    assertEquals(1, s.lastSeq());
  }

  @Test
  void lastSeqCountsEveryEventAndUpdatedAtFollowsTheLast() {
    SessionState s =
        fold(
            created(),
            new MemoryWritten("k", json("1"), "ada", T1),
            new TurnCancelled("turn_unknown", "no such turn", "ada", T2));
    assertEquals(3, s.lastSeq());
    assertEquals(T2, s.updatedAt());
    assertEquals(T0, s.createdAt());
  }

  @Test
  void theCurrentTurnIsTheOldestUnfinishedOne() {
    SessionState s = fold(created(), message("t1", null, T1), message("t2", null, T2));
    assertEquals("t1", s.currentTurn().orElseThrow().id());
    assertEquals(2, s.queuedMessages());
    assertEquals(SessionStatus.IDLE, s.status());

    SessionState afterCancel = s.apply(new TurnCancelled("t1", "stop", "ada", T2));
    assertEquals("t2", afterCancel.currentTurn().orElseThrow().id());
    assertEquals(1, afterCancel.queuedMessages());
    assertEquals(List.of("t2"), afterCancel.unfinishedTurns().stream().map(Turn::id).toList());
    assertEquals(
        new Turn("t1", TurnStatus.CANCELLED, 0, null, new TurnError("cancelled", "stop"), T1, T2),
        afterCancel.turn("t1").orElseThrow());
  }

  @Test
  void aMessageAddsATranscriptEntryNumberedByItsEvent() {
    SessionState s =
        fold(created(), new MemoryWritten("k", json("1"), "ada", T1), message("t1", null, T2));
    assertEquals(
        List.of(new TranscriptEntry(3, "t1", "user", "hi t1", List.of(), null, null)),
        s.transcript());
    assertEquals(List.of(Turn.queued("t1", T2)), s.turns());
  }

  @Test
  void anIdempotencyKeyLeadsBackToItsTurn() {
    SessionState s = fold(created(), message("t1", "key-1", T1), message("t2", null, T2));
    assertEquals("t1", s.turnForIdempotencyKey("key-1").orElseThrow().id());
    assertEquals(Optional.empty(), s.turnForIdempotencyKey("key-2"));
    assertEquals(Map.of("key-1", "t1"), s.turnIdsByIdempotencyKey());
  }

  @Test
  void theStatusFollowsTheCurrentTurn() {
    SessionState base = fold(created());
    assertEquals(SessionStatus.IDLE, withTurns(base, TurnStatus.COMPLETED).status());
    assertEquals(SessionStatus.IDLE, withTurns(base, TurnStatus.QUEUED).status());
    assertEquals(
        SessionStatus.RUNNING,
        withTurns(base, TurnStatus.COMPLETED, TurnStatus.RUNNING, TurnStatus.QUEUED).status());
    assertEquals(
        SessionStatus.AWAITING_APPROVAL, withTurns(base, TurnStatus.AWAITING_APPROVAL).status());
    assertEquals(
        SessionStatus.IDLE, withTurns(base, TurnStatus.FAILED, TurnStatus.CANCELLED).status());
  }

  @Test
  void aClosedSessionIsClosedWhateverItsTurns() {
    SessionState s =
        withTurns(fold(created()), TurnStatus.RUNNING).apply(new SessionClosed("ada", T2));
    assertEquals(SessionStatus.CLOSED, s.status());
    assertTrue(s.closed());
  }

  @Test
  void foldingLeavesTheEarlierStateAsItWas() {
    SessionState before = fold(created());
    SessionState copy = fold(created());
    before.apply(new MemoryWritten("k", json("1"), "ada", T1));
    before.apply(message("t1", "key", T1));
    assertEquals(copy, before);
  }

  @Test
  void aQueuedTurnCancelledBehindARunningOneLeavesTheRightTurnsCurrent() {
    SessionState s =
        fold(
            created(),
            message("t1", null, T1),
            new SessionEvent.TurnStarted("t1", T1),
            message("t2", null, T1),
            message("t3", null, T1),
            new TurnCancelled("t2", "not needed", "ada", T2));
    assertEquals("t1", s.currentTurn().orElseThrow().id());
    assertEquals("t3", s.nextQueuedTurn().orElseThrow().id());
    assertEquals(List.of("t1", "t3"), s.unfinishedTurns().stream().map(Turn::id).toList());

    s = s.apply(new SessionEvent.TurnCompleted("t1", "done", T2));
    assertEquals("t3", s.currentTurn().orElseThrow().id());
    assertEquals(1, s.queuedMessages());
    assertEquals(TurnStatus.COMPLETED, s.turn("t1").orElseThrow().status());
    assertEquals(TurnStatus.CANCELLED, s.turn("t2").orElseThrow().status());
    assertEquals(List.of("t1", "t2", "t3"), s.turns().stream().map(Turn::id).toList());
  }

  @Test
  void theFirstTurnsOfALongSessionAndTheirKeysAreFoundAsTheLast() {
    SessionState s = fold(created());
    for (int i = 0; i < 500; i++) {
      s =
          s.apply(message("t" + i, "key-" + i, T1))
              .apply(new SessionEvent.TurnStarted("t" + i, T1))
              .apply(new SessionEvent.TurnCompleted("t" + i, "out " + i, T2));
    }
    assertEquals("out 0", s.turn("t0").orElseThrow().output());
    assertEquals("t0", s.turnForIdempotencyKey("key-0").orElseThrow().id());
    assertEquals("t499", s.turnForIdempotencyKey("key-499").orElseThrow().id());
    assertEquals(Optional.empty(), s.currentTurn());
    assertEquals(500, s.turns().size());
    assertEquals(500, s.transcript().size());
  }

  @Test
  void workIsInFlightWhileATurnHasNotEnded() {
    SessionState s = fold(created());
    assertFalse(s.workInFlight(), "no turn");
    Map<TurnStatus, Boolean> rows =
        Map.of(
            TurnStatus.QUEUED, true,
            TurnStatus.RUNNING, true,
            TurnStatus.AWAITING_APPROVAL, true,
            TurnStatus.WAITING, true,
            TurnStatus.COMPLETED, false,
            TurnStatus.FAILED, false,
            TurnStatus.CANCELLED, false);
    assertEquals(TurnStatus.values().length, rows.size(), "a row for every status");
    rows.forEach(
        (status, working) ->
            assertEquals(working, withTurns(s, status).workInFlight(), status.toString()));
    assertTrue(withTurns(s, TurnStatus.COMPLETED, TurnStatus.QUEUED).workInFlight());
  }

  private static SessionState withTurns(SessionState s, TurnStatus... statuses) {
    List<Turn> turns = new java.util.ArrayList<>();
    for (int i = 0; i < statuses.length; i++) {
      turns.add(new Turn("t" + i, statuses[i], 0, null, null, T1, T1));
    }
    return new SessionState(
        s.owner(),
        s.createdWith(),
        s.agent(),
        s.memory(),
        s.tools(),
        s.permissions(),
        s.metadata(),
        s.closed(),
        s.createdAt(),
        s.updatedAt(),
        s.lastSeq(),
        s.transcript(),
        turns,
        s.turnIdsByIdempotencyKey(),
        s.usage());
  }
}
