package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.BOB;
import static io.agentruntime.runtime.session.Fixtures.OPERATOR;
import static io.agentruntime.runtime.session.Fixtures.T0;
import static io.agentruntime.runtime.session.Fixtures.TENANT;
import static io.agentruntime.runtime.session.Fixtures.agent;
import static io.agentruntime.runtime.session.Fixtures.json;
import static io.agentruntime.runtime.session.Fixtures.spec;
import static io.agentruntime.runtime.session.SessionCommand.CreateMode.CREATE_NEW;
import static io.agentruntime.runtime.session.SessionCommand.CreateMode.CREATE_OR_MATCH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.SessionCommand.CloseSession;
import io.agentruntime.runtime.session.SessionCommand.ConnectTool;
import io.agentruntime.runtime.session.SessionCommand.CreateSession;
import io.agentruntime.runtime.session.SessionCommand.GetSession;
import io.agentruntime.runtime.session.SessionCommand.GetTranscript;
import io.agentruntime.runtime.session.SessionCommand.ListTurns;
import io.agentruntime.runtime.session.SessionCommand.SendUserMessage;
import io.agentruntime.runtime.session.SessionCommand.WriteMemory;
import io.agentruntime.runtime.session.SessionEvent.SessionClosed;
import io.agentruntime.runtime.session.SessionEvent.SessionCreated;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Creating, reading and closing a session: the events persisted and what the caller is told. */
class SessionEntityTest extends SessionEntityTestSupport {

  SessionEntityTest() {
    super(SMALL_LIMITS);
  }

  @Test
  void postCreatesTheSessionForTheCaller() {
    var result = run(r -> new CreateSession(ADA, spec(), CREATE_NEW, r));

    assertEquals(
        List.of(new SessionCreated(new Owner(TENANT, "ada"), spec(), T0)), result.events());
    SessionSummary made = assertInstanceOf(SessionReply.Created.class, result.reply()).session();
    SessionView view = view(ADA);
    assertEquals(SessionSummary.of(view), made, "the create answers the session in summary");
    assertEquals(sessionId, view.id());
    assertEquals(new Owner(TENANT, "ada"), view.owner());
    assertEquals(SessionStatus.IDLE, view.status());
    assertEquals(spec().agent(), view.agent());
    assertEquals(T0, view.createdAt());
    assertEquals(T0, view.updatedAt());
    assertEquals(1, view.lastSeq());
    assertNull(view.currentTurn());
    assertEquals(0, view.queuedMessages());
    assertEquals(spec().memory(), view.memory());
    assertEquals(List.of(Fixtures.mcpTool("files"), Fixtures.httpTool("send_email")), view.tools());
    assertEquals(spec().permissions(), view.permissions());
    assertEquals(Map.of("team", "support"), view.metadata());
    assertEquals(0, view.pendingApprovals());
    assertEquals(Usage.NONE, view.usage());
  }

  @Test
  void postOnAnExistingIdIsAConflict() {
    createSession();
    assertProblem(
        refused(r -> new CreateSession(ADA, spec(), CREATE_NEW, r)),
        Problem.Kind.CONFLICT,
        "session_exists",
        null);
  }

  @Test
  void putCreatesAnAbsentSession() {
    var result = run(r -> new CreateSession(ADA, spec(), CREATE_OR_MATCH, r));
    assertEquals(
        List.of(new SessionCreated(new Owner(TENANT, "ada"), spec(), T0)), result.events());
    assertInstanceOf(SessionReply.Created.class, result.reply());
  }

  @Test
  void putOfTheSameSessionByItsOwnerAnswersItAsItIs() {
    SessionView created = createSession();
    clock.advance(Duration.ofMinutes(1));

    var result = run(r -> new CreateSession(ADA, spec(), CREATE_OR_MATCH, r));

    assertTrue(result.hasNoEvents());
    assertEquals(created, current(result.reply()));
  }

  @Test
  void putWithAnotherSpecIsAConflict() {
    createSession();
    SessionSpec other = spec(agent("You are terse."));
    assertProblem(
        refused(r -> new CreateSession(ADA, other, CREATE_OR_MATCH, r)),
        Problem.Kind.CONFLICT,
        "session_exists",
        null);
  }

  @Test
  void putOfTheSameSpecByAnotherUserIsAConflict() {
    createSession();
    assertProblem(
        refused(r -> new CreateSession(BOB, spec(), CREATE_OR_MATCH, r)),
        Problem.Kind.CONFLICT,
        "session_exists",
        null);
    assertProblem(
        refused(r -> new CreateSession(OPERATOR, spec(), CREATE_OR_MATCH, r)),
        Problem.Kind.CONFLICT,
        "session_exists",
        null);
  }

  @Test
  void anInvalidSpecCreatesNothing() {
    SessionSpec badModel =
        spec(new AgentDefinition("hi", "no spaces allowed", new Limits(8, 600, 0, null)));
    assertProblem(
        refused(r -> new CreateSession(ADA, badModel, CREATE_NEW, r)),
        Problem.Kind.INVALID,
        "invalid_field",
        "agent.model");
    assertFalse(kit.getState().exists());
    assertProblem(
        refused(r -> new GetSession(ADA, r)), Problem.Kind.NOT_FOUND, "session_not_found", null);
  }

  @Test
  void anAgentWithoutLimitsGetsTheConfiguredDefaults() {
    SessionSpec noLimits = spec(new AgentDefinition("hi", "default", null));
    var created = run(r -> new CreateSession(ADA, noLimits, CREATE_NEW, r));
    assertInstanceOf(SessionReply.Created.class, created.reply());
    SessionView view = view(ADA);
    assertEquals(settings.defaultLimits(), view.agent().limits());

    // The same request again is the same session, not a conflict.
    var again = run(r -> new CreateSession(ADA, noLimits, CREATE_OR_MATCH, r));
    assertTrue(again.hasNoEvents());
    assertEquals(view, current(again.reply()));
  }

  @Test
  void theOwnerAndTheTenantsOperatorsSeeTheSession() {
    SessionView created = createSession();
    var byOwner = run(r -> new GetSession(ADA, r));
    assertTrue(byOwner.hasNoEvents());
    assertEquals(created, current(byOwner.reply()));
    assertEquals(created, current(run(r -> new GetSession(OPERATOR, r)).reply()));
  }

  @Test
  void anUnknownSessionIsNotFound() {
    assertProblem(
        refused(r -> new GetSession(ADA, r)), Problem.Kind.NOT_FOUND, "session_not_found", null);
    assertProblem(
        refused(r -> new CloseSession(ADA, r)), Problem.Kind.NOT_FOUND, "session_not_found", null);
    assertProblem(
        refused(r -> new WriteMemory(ADA, "k", json("1"), r)),
        Problem.Kind.NOT_FOUND,
        "session_not_found",
        null);
  }

  @Test
  void forAnotherUserTheSessionDoesNotExist() {
    createSession();
    Problem notFound = Problem.notFound();
    assertEquals(notFound, refused(r -> new GetSession(BOB, r)));
    assertEquals(notFound, refused(r -> new GetTranscript(BOB, r)));
    assertEquals(notFound, refused(r -> new ListTurns(BOB, 10, null, r)));
    assertEquals(notFound, refused(r -> new WriteMemory(BOB, "k", json("1"), r)));
    assertEquals(notFound, refused(r -> new SendUserMessage(BOB, "hi", OnBusy.QUEUE, null, r)));
    assertEquals(notFound, refused(r -> new CloseSession(BOB, r)));
  }

  @Test
  void closingRecordsWhoClosedAndWhen() {
    createSession();
    Instant closedAt = clock.advance(Duration.ofMinutes(5));

    var result = run(r -> new CloseSession(ADA, r));

    assertEquals(List.of(new SessionClosed("ada", closedAt)), result.events());
    SessionView view = current(result.reply());
    assertEquals(SessionStatus.CLOSED, view.status());
    assertEquals(closedAt, view.updatedAt());
    assertEquals(T0, view.createdAt());
    assertEquals(2, view.lastSeq());
  }

  @Test
  void aClosedSessionRefusesWritesAndStillAnswersReads() {
    createSession();
    SessionView closed = current(run(r -> new CloseSession(ADA, r)).reply());

    Problem sessionClosed = Problem.conflict("session_closed", "the session is closed");
    assertEquals(sessionClosed, refused(r -> new WriteMemory(ADA, "k", json("1"), r)));
    assertEquals(
        sessionClosed, refused(r -> new SendUserMessage(ADA, "hi", OnBusy.QUEUE, null, r)));
    assertEquals(sessionClosed, refused(r -> new ConnectTool(ADA, Fixtures.httpTool("search"), r)));

    assertEquals(closed, current(run(r -> new GetSession(ADA, r)).reply()));
    assertInstanceOf(
        SessionReply.TranscriptFound.class, run(r -> new GetTranscript(ADA, r)).reply());
  }

  @Test
  void closingAClosedSessionPersistsNothing() {
    createSession();
    SessionView closed = current(run(r -> new CloseSession(ADA, r)).reply());
    clock.advance(Duration.ofMinutes(1));

    var again = run(r -> new CloseSession(ADA, r));

    assertTrue(again.hasNoEvents());
    assertEquals(closed, current(again.reply()));
  }

  @Test
  void anOperatorMayCloseAnotherUsersSession() {
    createSession();
    var result = run(r -> new CloseSession(OPERATOR, r));
    assertEquals(List.of(new SessionClosed("olga", T0)), result.events());
    assertEquals(new Owner(TENANT, "ada"), current(result.reply()).owner());
  }

  @Test
  void closingCancelsTheTurnsThatHaveNotEnded() {
    createSession();
    var accepted = run(r -> new SendUserMessage(ADA, "hi", OnBusy.QUEUE, null, r));
    String turnId = ((SessionReply.TurnAccepted) accepted.reply()).turn().id();

    var result = run(r -> new CloseSession(ADA, r));

    assertEquals(
        List.of(
            new SessionEvent.TurnCancelled(turnId, "the session was closed", "ada", T0),
            new SessionClosed("ada", T0)),
        result.events());
    SessionView view = current(result.reply());
    assertEquals(SessionStatus.CLOSED, view.status());
    assertEquals(0, view.queuedMessages());
    var turn = run(r -> new SessionCommand.GetTurn(ADA, turnId, r)).reply();
    assertEquals(TurnStatus.CANCELLED, ((SessionReply.TurnFound) turn).turn().status());
  }
}
