package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.fold;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.session.SessionEvent.*;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The lifecycle -> webhook event mapping, as tables over folded states (decision 0027). */
class LifecycleNoticesTest {

  private static final Instant T0 = Fixtures.T0;
  private static final Instant NOW = T0.plusSeconds(5);
  private static final String ENTITY = "acme:s1";
  private static final JsonNode ARGS = json("{\"to\":\"bob\"}");

  private static final String CREATED = LifecycleNotice.CREATED;
  private static final String IN_PROGRESS = LifecycleNotice.IN_PROGRESS;
  private static final String ACTION = LifecycleNotice.ACTION_REQUIRED;
  private static final String IDLE = LifecycleNotice.IDLE;
  private static final String FAILED = LifecycleNotice.FAILED;

  private static SessionEvent create() {
    SessionSpec spec =
        new SessionSpec(
            new AgentDefinition("Be brief.", "default", new Limits(5, 600, 1000, null)),
            List.of(Fixtures.httpTool("send_email"), Fixtures.mcpTool("files")),
            new PermissionPolicy(Map.of("*", Permission.ASK)),
            Map.of(),
            Map.of());
    return new SessionCreated(new Owner("acme", "ada"), spec, T0);
  }

  private static final SessionEvent ACCEPT_T1 =
      new UserMessageAccepted("t1", "hi", null, "ada", T0);
  private static final SessionEvent START_T1 = new TurnStarted("t1", T0);
  private static final SessionEvent ASK_T1 =
      new AssistantReplied(
          "t1", 1, "", List.of(new TranscriptEntry.ToolCall("c1", "send_email", ARGS)), 1, 1, T0);
  private static final SessionEvent APPROVAL_T1 =
      new ApprovalRequested(
          "appr_1",
          "t1",
          "c1",
          "send_email",
          ARGS,
          T0.plus(Duration.ofHours(1)),
          T0,
          null,
          null,
          null);
  private static final SessionEvent COMPLETE_T1 = new TurnCompleted("t1", "done", T0);
  private static final SessionEvent FAIL_T1 = new TurnFailed("t1", "model_error", "down", T0);
  private static final SessionEvent ACCEPT_T2 =
      new UserMessageAccepted("t2", "and then?", null, "ada", T0);
  private static final SessionEvent START_T2 = new TurnStarted("t2", T0);
  private static final SessionEvent CALL_CLIENT_T1 =
      new AssistantReplied(
          "t1", 1, "", List.of(new TranscriptEntry.ToolCall("c1", "weather", ARGS)), 1, 1, T0);
  private static final SessionEvent WAIT_CLIENT_T1 =
      new ClientToolCallRequested(
          "t1", "c1", "weather", ARGS, T0.plus(Duration.ofHours(1)), T0.plusSeconds(1));
  private static final SessionEvent CLIENT_ANSWERED_T1 =
      new ToolCallSucceeded("t1", "c1", json("\"sunny\""), T0.plusSeconds(2));

  /** One row: a history, the mark it leaves, and what its last persist announces. */
  private record Row(
      String name,
      List<SessionEvent> before,
      List<SessionEvent> persist,
      String mark,
      List<String> announced) {}

  private static final List<Row> ROWS =
      List.of(
          new Row("created", List.of(), List.of(create()), CREATED, List.of(CREATED)),
          new Row(
              "created with its first message at once",
              List.of(),
              List.of(create(), ACCEPT_T1, START_T1),
              IN_PROGRESS,
              List.of(CREATED, IN_PROGRESS)),
          new Row(
              "a turn starts",
              List.of(create()),
              List.of(ACCEPT_T1, START_T1),
              IN_PROGRESS,
              List.of(IN_PROGRESS)),
          new Row(
              "a step of the running turn is no change",
              List.of(create(), ACCEPT_T1, START_T1),
              List.of(ASK_T1),
              IN_PROGRESS,
              List.of()),
          new Row(
              "waiting for an approval",
              List.of(create(), ACCEPT_T1, START_T1, ASK_T1),
              List.of(APPROVAL_T1),
              ACTION,
              List.of(ACTION)),
          new Row(
              "approved: running again",
              List.of(create(), ACCEPT_T1, START_T1, ASK_T1, APPROVAL_T1),
              List.of(new ApprovalGranted("appr_1", "ada", null, T0)),
              IN_PROGRESS,
              List.of(IN_PROGRESS)),
          new Row(
              "waiting for the client's result of a function call",
              List.of(create(), ACCEPT_T1, START_T1, CALL_CLIENT_T1),
              List.of(WAIT_CLIENT_T1),
              ACTION,
              List.of(ACTION)),
          new Row(
              "the client answered: running again",
              List.of(create(), ACCEPT_T1, START_T1, CALL_CLIENT_T1, WAIT_CLIENT_T1),
              List.of(CLIENT_ANSWERED_T1),
              IN_PROGRESS,
              List.of(IN_PROGRESS)),
          new Row(
              "the turn completes",
              List.of(create(), ACCEPT_T1, START_T1),
              List.of(COMPLETE_T1),
              IDLE,
              List.of(IDLE)),
          new Row(
              "a failed turn leaves the session idle",
              List.of(create(), ACCEPT_T1, START_T1),
              List.of(FAIL_T1),
              IDLE,
              List.of(IDLE)),
          new Row(
              "a queued turn follows at once: no idle in between",
              List.of(create(), ACCEPT_T1, START_T1, ACCEPT_T2),
              List.of(COMPLETE_T1, START_T2),
              IN_PROGRESS,
              List.of(IN_PROGRESS)),
          new Row(
              "a suspension is no lifecycle event",
              List.of(create(), ACCEPT_T1, START_T1, COMPLETE_T1),
              List.of(new SessionSuspended("olga", "audit", T0)),
              IDLE,
              List.of()),
          new Row(
              "closed: failed, it takes no more input",
              List.of(create(), ACCEPT_T1, START_T1, COMPLETE_T1),
              List.of(new SessionClosed("olga", T0)),
              FAILED,
              List.of(FAILED)));

  @Test
  void eachChangeOfTheLifecycleIsAnnouncedOnceAndNothingElseIs() {
    List<String> failures = new ArrayList<>();
    for (Row row : ROWS) {
      SessionState before = fold(SessionState.empty(), row.before());
      SessionState after = fold(before, row.persist());
      LifecycleNotices.Mark last = LifecycleNotices.mark(before).orElse(null);
      List<String> announced =
          LifecycleNotices.after(ENTITY, "s1", last, after, row.persist(), NOW).stream()
              .map(LifecycleNotice::type)
              .toList();
      String mark = LifecycleNotices.mark(after).map(LifecycleNotices.Mark::type).orElse(null);
      if (!row.announced().equals(announced) || !row.mark().equals(mark)) {
        failures.add(row.name() + ": mark " + mark + ", announced " + announced);
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void anActionRequiredSaysWhatKindOfApprovalItWaitsFor() {
    SessionState waiting =
        fold(SessionState.empty(), List.of(create(), ACCEPT_T1, START_T1, ASK_T1, APPROVAL_T1));
    List<LifecycleNotice> n =
        LifecycleNotices.after(ENTITY, "s1", null, waiting, List.of(APPROVAL_T1), NOW);
    assertEquals(LifecycleNotices.TOOL_APPROVAL, n.get(0).requiredAction());
    assertEquals("s1", n.get(0).sessionId());
    assertEquals(NOW, n.get(0).at());
  }

  @Test
  void aWaitForTheClientRequiresAFunctionCall() {
    SessionState waiting =
        fold(SessionState.empty(), List.of(create(), ACCEPT_T1, START_T1, CALL_CLIENT_T1));
    SessionState after = fold(waiting, List.of(WAIT_CLIENT_T1));
    List<LifecycleNotice> n =
        LifecycleNotices.after(
            ENTITY,
            "s1",
            LifecycleNotices.mark(waiting).orElse(null),
            after,
            List.of(WAIT_CLIENT_T1),
            NOW);
    assertEquals(LifecycleNotices.FUNCTION_CALL, n.get(0).requiredAction());
  }

  /**
   * A turn running again after a wait is announced under an id of its own: under its start's id the
   * outbox, which holds the start already, would take it as known and deliver nothing.
   */
  @Test
  void runningAgainAfterEachWaitIsAnotherChangeThanTheStart() {
    SessionState started = fold(SessionState.empty(), List.of(create(), ACCEPT_T1, START_T1));
    SessionState asked = fold(started, List.of(ASK_T1, APPROVAL_T1));
    SessionState approved =
        fold(asked, List.of(new ApprovalGranted("appr_1", "ada", null, T0.plusSeconds(3))));
    String start =
        LifecycleNotices.after(ENTITY, "s1", null, started, List.of(START_T1), NOW)
            .get(0)
            .eventId();
    LifecycleNotice again =
        LifecycleNotices.after(
                ENTITY,
                "s1",
                LifecycleNotices.mark(asked).orElse(null),
                approved,
                List.of(new ApprovalGranted("appr_1", "ada", null, T0.plusSeconds(3))),
                NOW)
            .get(0);
    assertEquals(IN_PROGRESS, again.type());
    assertNotEquals(start, again.eventId());
    SessionState waiting = fold(started, List.of(CALL_CLIENT_T1, WAIT_CLIENT_T1));
    SessionState answered = fold(waiting, List.of(CLIENT_ANSWERED_T1));
    String afterClient =
        LifecycleNotices.after(
                ENTITY,
                "s1",
                LifecycleNotices.mark(waiting).orElse(null),
                answered,
                List.of(CLIENT_ANSWERED_T1),
                NOW)
            .get(0)
            .eventId();
    assertEquals(3, List.of(start, again.eventId(), afterClient).stream().distinct().count());
    assertEquals(
        again.eventId(),
        LifecycleNotices.after(
                ENTITY,
                "s1",
                LifecycleNotices.mark(asked).orElse(null),
                approved,
                List.of(),
                NOW.plusSeconds(60))
            .get(0)
            .eventId(),
        "the same change, announced again, has the same id");
  }

  @Test
  void theSameChangeHasTheSameIdAndAnotherChangeAnother() {
    SessionState t1 = fold(SessionState.empty(), List.of(create(), ACCEPT_T1, START_T1));
    SessionState t2 = fold(t1, List.of(COMPLETE_T1, ACCEPT_T2, START_T2));
    String first =
        LifecycleNotices.after(ENTITY, "s1", null, t1, List.of(START_T1), NOW).get(0).eventId();
    String again =
        LifecycleNotices.after(ENTITY, "s1", null, t1, List.of(START_T1), NOW.plusSeconds(9))
            .get(0)
            .eventId();
    String second =
        LifecycleNotices.after(ENTITY, "s1", null, t2, List.of(START_T2), NOW).get(0).eventId();
    String otherSession =
        LifecycleNotices.after("acme:s2", "s2", null, t1, List.of(START_T1), NOW).get(0).eventId();
    String otherTenant =
        LifecycleNotices.after("globex:s1", "s1", null, t1, List.of(START_T1), NOW)
            .get(0)
            .eventId();
    assertEquals(first, again);
    assertTrue(first.startsWith("evt_"), first);
    assertEquals(4, List.of(first, second, otherSession, otherTenant).stream().distinct().count());
  }

  @Test
  void
      aRecoveredSessionAnnouncesItsCreationTheStartOfItsLastTurnAndWhereItStandsUnderTheIdsItUsedLive() {
    List<SessionEvent> history = List.of(create(), ACCEPT_T1, START_T1, COMPLETE_T1);
    List<String> live = new ArrayList<>();
    SessionState s = SessionState.empty();
    LifecycleNotices.Mark last = null;
    for (List<SessionEvent> persist :
        List.of(List.of(create()), List.of(ACCEPT_T1, START_T1), List.of(COMPLETE_T1))) {
      s = fold(s, persist);
      LifecycleNotices.after(ENTITY, "s1", last, s, persist, NOW)
          .forEach(n -> live.add(n.eventId()));
      last = LifecycleNotices.mark(s).orElse(null);
    }
    SessionState recovered = fold(SessionState.empty(), history);
    List<LifecycleNotice> again = LifecycleNotices.recovered(ENTITY, "s1", recovered);
    assertEquals(live, again.stream().map(LifecycleNotice::eventId).toList());
    assertEquals(
        List.of(CREATED, IN_PROGRESS, IDLE), again.stream().map(LifecycleNotice::type).toList());
    assertEquals(T0, again.get(0).at(), "the times the state knows, not the recovery's");
    assertEquals(List.of(), LifecycleNotices.recovered(ENTITY, "s1", SessionState.empty()));
    assertNotEquals(Optional.empty(), LifecycleNotices.mark(recovered));
  }
}
