package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.fold;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.session.SessionEvent.*;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Which webhook notices a recovery offers again, as tables over journaled histories (decision 0027,
 * addendum of issue 14): every change the live path announced after the snapshot, under the id it
 * had then, also when the recovered state no longer shows it.
 */
class ReplayedNoticesTest {

  private static final Instant T0 = Fixtures.T0;
  private static final String ENTITY = "acme:s1";
  private static final JsonNode ARGS = json("{\"to\":\"bob\"}");

  private static final String CREATED = LifecycleNotice.CREATED;
  private static final String IN_PROGRESS = LifecycleNotice.IN_PROGRESS;
  private static final String ACTION = LifecycleNotice.ACTION_REQUIRED;
  private static final String IDLE = LifecycleNotice.IDLE;
  private static final String FAILED = LifecycleNotice.FAILED;
  private static final String REQUESTED = LifecycleNotice.APPROVAL_REQUESTED;
  private static final String DECIDED = LifecycleNotice.APPROVAL_DECIDED;
  private static final String IN_DOUBT = LifecycleNotice.TOOL_CALL_IN_DOUBT;
  private static final String BUDGET = LifecycleNotice.BUDGET_EXCEEDED;
  private static final String COMPLETED = LifecycleNotice.TURN_COMPLETED;
  private static final String TURN_FAILED = LifecycleNotice.TURN_FAILED;

  private static SessionEvent create() {
    SessionSpec spec =
        new SessionSpec(
            new AgentDefinition("Be brief.", "default", new Limits(5, 600, 1000, null)),
            List.of(Fixtures.httpTool("send_email")),
            new PermissionPolicy(Map.of("*", Permission.ASK)),
            Map.of(),
            Map.of());
    return new SessionCreated(new Owner("acme", "ada"), spec, T0);
  }

  private static Instant at(int seconds) {
    return T0.plusSeconds(seconds);
  }

  private static List<SessionEvent> accept(String turn, int t) {
    return List.of(
        new UserMessageAccepted(turn, "hi", null, "ada", at(t)), new TurnStarted(turn, at(t)));
  }

  private static List<SessionEvent> ask(String turn, String approval, int t) {
    return List.of(
        new AssistantReplied(
            turn,
            1,
            "",
            List.of(new TranscriptEntry.ToolCall("c-" + approval, "send_email", ARGS)),
            1,
            1,
            at(t)),
        new ApprovalRequested(
            approval,
            turn,
            "c-" + approval,
            "send_email",
            ARGS,
            at(t).plus(Duration.ofHours(1)),
            at(t),
            null,
            null,
            null));
  }

  /** One row: the writes the session made live, how many the snapshot holds, what is offered. */
  private record Row(
      String name, List<List<SessionEvent>> writes, int snapshot, List<String> offered) {}

  private static final List<Row> ROWS =
      List.of(
          new Row(
              "an idle followed at once by another turn",
              List.of(
                  List.of(create()),
                  accept("t1", 1),
                  List.of(new TurnCompleted("t1", "one", at(2))),
                  accept("t2", 3)),
              0,
              List.of(CREATED, IN_PROGRESS, IDLE, COMPLETED, IN_PROGRESS)),
          new Row(
              "an approval asked and decided, then the turn ended and another started",
              List.of(
                  List.of(create()),
                  accept("t1", 1),
                  ask("t1", "appr_1", 2),
                  List.of(new ApprovalGranted("appr_1", "olga", null, at(3))),
                  List.of(new TurnFailed("t1", "model_error", "down", at(4))),
                  accept("t2", 5)),
              0,
              // Granted, the turn runs again: an in_progress of its own, not the start's.
              List.of(
                  CREATED,
                  IN_PROGRESS,
                  ACTION,
                  REQUESTED,
                  IN_PROGRESS,
                  DECIDED,
                  IDLE,
                  TURN_FAILED,
                  IN_PROGRESS)),
          new Row(
              "a call in doubt, resolved",
              List.of(
                  List.of(create()),
                  accept("t1", 1),
                  List.of(
                      new ToolCallStarted("t1", "c1", "send_email", ARGS, "k1", at(2)),
                      new ToolCallInDoubt("t1", "c1", "appr_2", at(62), at(2), null, null)),
                  List.of(new InDoubtResolved("appr_2", "fail", "olga", null, at(3)))),
              2,
              List.of(CREATED, IN_PROGRESS, ACTION, IN_DOUBT, REQUESTED, IN_PROGRESS, DECIDED)),
          new Row(
              "a spent budget, raised",
              List.of(
                  List.of(create()),
                  accept("t1", 1),
                  List.of(
                      new BudgetExceeded(
                          "appr_3", "t1", "maxSessionTokens", 100, 120, at(62), at(2), null, null)),
                  List.of(new BudgetRaised("appr_3", 500, "ada", null, at(3), null))),
              0,
              // Raised, the turn runs again: an in_progress of its own, not the start's.
              List.of(CREATED, IN_PROGRESS, ACTION, BUDGET, REQUESTED, IN_PROGRESS, DECIDED)),
          new Row(
              "from a snapshot that shows an idle the next write hides",
              List.of(
                  List.of(create()),
                  accept("t1", 1),
                  List.of(new TurnCompleted("t1", "one", at(2))),
                  accept("t2", 3)),
              3,
              // What the snapshot shows comes first: its hand-off may have been cut off too.
              List.of(CREATED, IN_PROGRESS, IDLE, COMPLETED, IN_PROGRESS)),
          new Row(
              "nothing replayed: what the state shows, as before",
              List.of(
                  List.of(create()),
                  accept("t1", 1),
                  List.of(new TurnCompleted("t1", "one", at(2)))),
              3,
              List.of(CREATED, IN_PROGRESS, IDLE, COMPLETED)),
          new Row(
              "closed while a turn ran: read event by event, the turn's idle shows too",
              List.of(
                  List.of(create()),
                  accept("t1", 1),
                  List.of(
                      new TurnCancelled("t1", "closed", "olga", at(2)),
                      new SessionClosed("olga", at(2)))),
              0,
              List.of(CREATED, IN_PROGRESS, IDLE, FAILED)),
          new Row(
              "erased: nothing",
              List.of(
                  List.of(create()),
                  accept("t1", 1),
                  List.of(new TurnCompleted("t1", "one", at(2))),
                  List.of(new SessionErased(5, "olga", at(3)))),
              0,
              List.of()));

  @Test
  void aReplayOffersEveryChangeItsEventsAnnouncedAndWhatItsStatesShow() {
    List<String> failures = new ArrayList<>();
    for (Row row : ROWS) {
      SessionState start =
          fold(SessionState.empty(), flat(row.writes().subList(0, row.snapshot())));
      List<SessionEvent> replayed = flat(row.writes().subList(row.snapshot(), row.writes().size()));
      List<String> offered =
          ReplayedNotices.of(ENTITY, "s1", start, replayed, 256).stream()
              .map(LifecycleNotice::type)
              .toList();
      if (!row.offered().equals(offered)) {
        failures.add(row.name() + ": offered " + offered);
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void everyChangeAnnouncedLiveAfterTheSnapshotIsOfferedAgainAsItWas() {
    for (Row row : ROWS) {
      if (!fold(SessionState.empty(), flat(row.writes())).exists()) {
        continue; // erased: nothing of it is offered (the row above)
      }
      List<LifecycleNotice> live = new ArrayList<>();
      SessionState s = SessionState.empty();
      LifecycleNotices.Mark last = null;
      for (int i = 0; i < row.writes().size(); i++) {
        List<SessionEvent> write = row.writes().get(i);
        s = fold(s, write);
        Instant now = write.get(0).at();
        List<LifecycleNotice> made = new ArrayList<>();
        made.addAll(LifecycleNotices.after(ENTITY, "s1", last, s, write, now));
        made.addAll(OwnEventNotices.after(ENTITY, "s1", s, write));
        last = LifecycleNotices.mark(s).orElse(last);
        if (i >= row.snapshot()) {
          live.addAll(made);
        }
      }
      SessionState start =
          fold(SessionState.empty(), flat(row.writes().subList(0, row.snapshot())));
      List<SessionEvent> replayed = flat(row.writes().subList(row.snapshot(), row.writes().size()));
      Map<String, LifecycleNotice> offered =
          ReplayedNotices.of(ENTITY, "s1", start, replayed, 256).stream()
              .collect(Collectors.toMap(LifecycleNotice::eventId, n -> n));
      for (LifecycleNotice n : live) {
        LifecycleNotice again = offered.get(n.eventId());
        assertTrue(again != null, row.name() + ": " + n.type() + " not offered again");
        assertEquals(n.type(), again.type(), row.name());
        assertEquals(n.data(), again.data(), row.name() + ": " + n.type());
        assertEquals(n.requiredAction(), again.requiredAction(), row.name());
      }
    }
  }

  @Test
  void aLongReplayOffersItsNewestChangesOnlyEachOnce() {
    List<SessionEvent> history = new ArrayList<>(List.of(create()));
    for (int i = 1; i <= 3_000; i++) {
      history.addAll(accept("t" + i, i));
      history.add(new TurnCompleted("t" + i, "ok", at(i)));
    }
    List<LifecycleNotice> offered =
        ReplayedNotices.of(ENTITY, "s1", SessionState.empty(), history, 10);
    Set<String> ids = offered.stream().map(LifecycleNotice::eventId).collect(Collectors.toSet());
    assertEquals(offered.size(), ids.size(), "each id once");
    assertTrue(offered.size() <= 10 + 3, "the cap, and what the state shows: " + offered.size());
    String lastIdle = LifecycleNotices.eventId(ENTITY, new LifecycleNotices.Mark(IDLE, "t3000"));
    String firstIdle = LifecycleNotices.eventId(ENTITY, new LifecycleNotices.Mark(IDLE, "t1"));
    assertTrue(ids.contains(lastIdle));
    assertFalse(ids.contains(firstIdle));
    assertEquals(List.of(), ReplayedNotices.of(ENTITY, "s1", SessionState.empty(), List.of(), 10));
  }

  /** The events of these writes, in order. */
  private static List<SessionEvent> flat(List<List<SessionEvent>> writes) {
    return writes.stream().flatMap(List::stream).toList();
  }
}
