package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.FakeModel.call;
import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.OPERATOR;
import static io.agentruntime.runtime.session.Fixtures.TENANT;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.directory.SessionSummary;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An operator's controls: suspend and resume, terminate, erase; and the directory's status kept
 * current.
 */
class SessionEntityOperatorTest extends AgentLoopTestSupport {

  @BeforeEach
  void created() {
    create();
  }

  private SessionView suspend() {
    return current(run(r -> new SessionCommand.SuspendSession(OPERATOR, "incident 7", r)).reply());
  }

  private SessionView resume() {
    return current(run(r -> new SessionCommand.ResumeSession(OPERATOR, r)).reply());
  }

  @Test
  void onlyAnOperatorControlsASession() {
    for (var command :
        List
            .<java.util.function.Function<
                    org.apache.pekko.actor.typed.ActorRef<SessionReply>, SessionCommand>>
                of(
                    r -> new SessionCommand.SuspendSession(ADA, null, r),
                    r -> new SessionCommand.ResumeSession(ADA, r),
                    r -> new SessionCommand.TerminateSession(ADA, r),
                    r -> new SessionCommand.EraseSession(ADA, r))) {
      assertProblem(refused(command), Problem.Kind.FORBIDDEN, "role_missing", null);
    }
  }

  @Test
  void aSuspendedSessionTakesNoMessageAndCallsNothingUntilResumed() {
    Turn turn = send("look it up");
    model.call(1).callTools(call("c1", "lookup", "{}"));
    settled();
    SessionView suspended = suspend();
    assertEquals(SessionStatus.SUSPENDED, suspended.status());
    assertEquals(suspended, suspend(), "suspending again changes nothing");

    assertProblem(
        refused(r -> new SessionCommand.SendUserMessage(ADA, "more", OnBusy.QUEUE, null, r)),
        Problem.Kind.CONFLICT,
        "session_suspended",
        null);
    tools.invocation(1).succeed(json("{\"found\": 1}"));
    settled();
    assertEquals(
        1,
        model.callCount(),
        "the tool's result is journaled, but the model is not asked while suspended");
    assertEquals(TurnStatus.RUNNING, turn(turn.id()).status(), "the turn still stands");

    clock.advance(Duration.ofHours(2));
    SessionView resumed = resume();
    assertEquals(SessionStatus.RUNNING, resumed.status());
    assertTrue(
        resumed.currentTurn().deadline().isAfter(clock.instant()),
        "the paused time does not count against the budget");
    awaitState(s -> model.callCount() == 2);
    model.call(2).answer("found one");
    assertEquals(
        TurnStatus.COMPLETED,
        awaitState(s -> s.turn(turn.id()).orElseThrow().status().terminal())
            .turn(turn.id())
            .orElseThrow()
            .status());
  }

  @Test
  void aModelAnswerThatLandsWhileSuspendedIsAskedAgainAtResume() {
    Turn turn = send("think");
    suspend();
    model.call(1).answer("too early");
    settled();
    assertEquals(TurnStatus.RUNNING, turn(turn.id()).status());
    resume();
    awaitState(s -> model.callCount() == 2);
    model.call(2).answer("now");
    assertEquals(
        "now",
        awaitState(s -> turn(turn.id()).status() == TurnStatus.COMPLETED)
            .turn(turn.id())
            .orElseThrow()
            .output());
  }

  @Test
  void terminateCancelsTheRunningTurnAndCloses() {
    Turn turn = send("think");
    SessionView terminated =
        current(run(r -> new SessionCommand.TerminateSession(OPERATOR, r)).reply());
    assertEquals(SessionStatus.CLOSED, terminated.status());
    assertEquals(TurnStatus.CANCELLED, turn(turn.id()).status());
    assertEquals("the session was terminated by olga", turn(turn.id()).error().message());
  }

  @Test
  void theDirectoryFollowsEveryChangeOfStatus() {
    Turn turn = send("think");
    awaitListed("running");
    suspend();
    awaitListed("suspended");
    resume();
    awaitListed("running");
    model.call(1).answer("done");
    awaitState(s -> turn(turn.id()).status() == TurnStatus.COMPLETED);
    awaitListed("idle");
  }

  @Test
  void aTurnThatEndsWithinTheListingDelayWritesNoStatus() throws InterruptedException {
    int before = directory.writes().size();
    Turn turn = send("quick");
    model.call(1).answer("done");
    awaitState(s -> turn(turn.id()).status() == TurnStatus.COMPLETED);
    Thread.sleep(settings.statusListingDelay().toMillis() * 2);
    assertEquals(
        before,
        directory.writes().size(),
        "running -> idle within the delay: " + directory.writes());
    awaitListed("idle");
  }

  @Test
  void erasingDeletesEverythingButATombstoneAndRefusesTheIdForGood() {
    send("think");
    model.call(1).answer("done");
    settled();
    assertEquals(1, directory.listed(TENANT).size());

    SessionReply erased = run(r -> new SessionCommand.EraseSession(OPERATOR, r)).reply();

    assertEquals(new SessionReply.Erased(sessionId), erased);
    List<SessionEvent> left = journal();
    assertEquals(1, left.size(), "only the tombstone is left: " + left);
    SessionEvent.SessionErased tombstone =
        assertInstanceOf(SessionEvent.SessionErased.class, left.get(0));
    assertEquals("olga", tombstone.by());
    assertTrue(kit.getState().erased());
    assertNull(kit.getState().owner());
    assertTrue(directory.listed(TENANT).isEmpty(), "the directory forgot it");

    SessionState recovered = restartAndCheck();
    assertTrue(recovered.erased(), "still erased after a restart");
    assertProblem(
        refused(r -> new SessionCommand.GetSession(ADA, r)),
        Problem.Kind.NOT_FOUND,
        "session_erased",
        null);
    assertProblem(
        refused(r -> new SessionCommand.GetSession(OPERATOR, r)),
        Problem.Kind.NOT_FOUND,
        "session_erased",
        null);
    assertProblem(
        refused(
            r ->
                new SessionCommand.CreateSession(
                    ADA, Fixtures.spec(), SessionCommand.CreateMode.CREATE_OR_MATCH, r)),
        Problem.Kind.CONFLICT,
        "session_erased",
        null);
    assertEquals(
        new SessionReply.Erased(sessionId),
        run(r -> new SessionCommand.EraseSession(OPERATOR, r)).reply(),
        "erasing again is answered the same");
  }

  private void awaitListed(String status) {
    awaitState(
        s -> {
          List<SessionSummary> listed = directory.listed(TENANT);
          return listed.size() == 1 && listed.get(0).status().equals(status);
        });
  }
}
