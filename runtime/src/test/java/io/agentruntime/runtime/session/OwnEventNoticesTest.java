package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agentruntime.runtime.ratelimits.RateLimitHit;
import io.agentruntime.runtime.session.SessionEvent.*;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Which of our own webhook events a persist announces, and what a recovery announces again. */
class OwnEventNoticesTest {

  private static final Instant T0 = Fixtures.T0;
  private static final String ENTITY = "acme|s1";

  private static SessionState fold(SessionState s, SessionEvent... events) {
    for (SessionEvent e : events) {
      s = s.apply(e);
    }
    return s;
  }

  private static SessionState running() {
    SessionSpec spec =
        new SessionSpec(
            new AgentDefinition("Be brief.", "default", new Limits(2, 600, 100, null)),
            List.of(Fixtures.httpTool("send_email")),
            new PermissionPolicy(Map.of("send_email", Permission.ASK)),
            Map.of(),
            Map.of());
    return fold(
        SessionState.empty(),
        new SessionCreated(new Owner("acme", "ada"), spec, T0),
        new UserMessageAccepted("t1", "hi", null, "ada", T0),
        new TurnStarted("t1", T0),
        new AssistantReplied(
            "t1",
            1,
            "",
            List.of(new TranscriptEntry.ToolCall("c1", "send_email", json("{\"to\":\"bob\"}"))),
            1,
            1,
            T0));
  }

  private static final ApprovalRequested ASKED =
      new ApprovalRequested(
          "appr_1",
          "t1",
          "c1",
          "send_email",
          json("{\"to\":\"bob\"}"),
          T0.plus(Duration.ofHours(1)),
          T0,
          null,
          Approval.ON_EXPIRY_FAIL,
          null);

  private record Row(
      String name, SessionState before, List<SessionEvent> events, List<String> types) {}

  private static List<Row> table() {
    SessionState asked = fold(running(), ASKED);
    SessionState started =
        fold(running(), new ToolCallStarted("t1", "c1", "send_email", json("{}"), "k", T0));
    return List.of(
        new Row("asked", running(), List.of(ASKED), List.of("approval.requested")),
        new Row(
            "in doubt: the question is an approval too",
            started,
            List.of(new ToolCallInDoubt("t1", "c1", "appr_2", T0.plusSeconds(60), T0, null, null)),
            List.of("tool_call.in_doubt", "approval.requested")),
        new Row(
            "a spent budget: the question is an approval too",
            running(),
            List.of(
                new BudgetExceeded(
                    "appr_3",
                    "t1",
                    "maxSessionTokens",
                    100,
                    120,
                    T0.plusSeconds(60),
                    T0,
                    null,
                    null)),
            List.of("budget.exceeded", "approval.requested")),
        new Row(
            "the tenant's month spent (decision 0045): the same events",
            running(),
            List.of(
                new BudgetExceeded(
                    "appr_4",
                    "t1",
                    Budgets.MONTHLY_COST,
                    0,
                    0,
                    T0.plusSeconds(60),
                    T0,
                    new java.math.BigDecimal("250"),
                    new java.math.BigDecimal("250.4"))),
            List.of("budget.exceeded", "approval.requested")),
        new Row(
            "a tenant budget raised by an operator: granted",
            fold(
                running(),
                new BudgetExceeded(
                    "appr_4",
                    "t1",
                    Budgets.MONTHLY_TOKENS,
                    100,
                    120,
                    T0.plusSeconds(60),
                    T0,
                    null,
                    null)),
            List.of(new ApprovalGranted("appr_4", "olga", null, T0)),
            List.of("approval.decided")),
        new Row(
            "a budget raised",
            fold(
                running(),
                new BudgetExceeded(
                    "appr_3",
                    "t1",
                    "maxSessionTokens",
                    100,
                    120,
                    T0.plusSeconds(60),
                    T0,
                    null,
                    null)),
            List.of(new BudgetRaised("appr_3", 500, "ada", null, T0, null)),
            List.of("approval.decided")),
        new Row(
            "granted",
            asked,
            List.of(new ApprovalGranted("appr_1", "ada", null, T0)),
            List.of("approval.decided")),
        new Row(
            "denied",
            asked,
            List.of(new ApprovalDenied("appr_1", "ada", null, T0)),
            List.of("approval.decided")),
        new Row(
            "expired, the turn failed",
            asked,
            List.of(
                new ApprovalExpired("appr_1", T0),
                new ToolCallRejected("t1", "c1", "expired", T0),
                new TurnFailed("t1", "approval_expired", "nobody decided", T0)),
            List.of("approval.expired", "turn.failed")),
        new Row(
            "completed",
            running(),
            List.of(new TurnCompleted("t1", "done", T0)),
            List.of("turn.completed")),
        new Row(
            "nothing of ours",
            running(),
            List.of(new MemoryWritten("k", json("1"), "ada", T0)),
            List.of()));
  }

  @TestFactory
  Stream<DynamicTest> eachJournaledChangeIsOneEvent() {
    return table().stream()
        .map(
            row ->
                DynamicTest.dynamicTest(
                    row.name(),
                    () -> {
                      SessionState next = row.before();
                      for (SessionEvent e : row.events()) {
                        next = next.apply(e);
                      }
                      assertEquals(
                          row.types(),
                          OwnEventNotices.after(ENTITY, "s1", next, row.events()).stream()
                              .map(LifecycleNotice::type)
                              .toList());
                    }));
  }

  @Test
  void anApprovalsEventCarriesItsRowAndDecisionUrl() {
    SessionState asked = fold(running(), ASKED);
    LifecycleNotice n = OwnEventNotices.after(ENTITY, "s1", asked, List.of(ASKED)).get(0);
    assertEquals("/v1/sessions/s1/approvals/appr_1", n.data().get("decisionUrl").asText());
    assertEquals("fail", n.data().get("onExpiry").asText());
    assertEquals("bob", n.data().at("/arguments/to").asText());
    assertEquals("policy", n.data().get("reason").asText());

    ApprovalGranted granted = new ApprovalGranted("appr_1", "ada", null, T0);
    LifecycleNotice d =
        OwnEventNotices.after(ENTITY, "s1", asked.apply(granted), List.of(granted)).get(0);
    assertEquals("approve", d.data().get("decision").asText());
    assertEquals("ada", d.data().get("by").asText());

    TurnFailed failed = new TurnFailed("t1", "approval_expired", "nobody decided", T0);
    LifecycleNotice f =
        OwnEventNotices.after(ENTITY, "s1", asked.apply(failed), List.of(failed)).get(0);
    assertEquals("approval_expired", f.data().at("/error/code").asText());
    assertEquals("failed", f.data().get("status").asText());
  }

  @Test
  void aRateLimitApprovalIsAnnouncedWithItsReasonTheToolTheLimitAndTheCount() {
    SessionState started =
        fold(running(), new ToolCallStarted("t1", "c1", "send_email", json("{}"), "k", T0));
    ApprovalRequested held =
        new ApprovalRequested(
            "appr_9",
            "t1",
            "c1",
            "send_email",
            json("{\"to\":\"bob\"}"),
            T0.plus(Duration.ofHours(1)),
            T0,
            null,
            null,
            RateLimitHit.over("hour", 10, 10));
    SessionState after = started.apply(held);
    List<LifecycleNotice> notices = OwnEventNotices.after(ENTITY, "s1", after, List.of(held));
    assertEquals(
        List.of("approval.requested"), notices.stream().map(LifecycleNotice::type).toList());
    LifecycleNotice n = notices.get(0);
    assertEquals("rate_limit", n.data().get("reason").asText());
    assertEquals(
        "{\"tool\":\"send_email\",\"window\":\"hour\",\"limit\":10,\"count\":10}",
        n.data().get("rateLimit").toString());
    assertEquals("/v1/sessions/s1/approvals/appr_9", n.data().get("decisionUrl").asText());
    assertEquals(
        List.of(n.eventId()),
        OwnEventNotices.recovered(ENTITY, "s1", after).stream()
            .map(LifecycleNotice::eventId)
            .toList(),
        "a recovery announces it again under the same id");
  }

  private record Shown(String name, RateLimitHit hit, String rateLimit) {}

  /**
   * What an approval held by the rate-limit check says (its webhook, and the approvals endpoints,
   * which show the same object): a limit hit with its numbers; a limit that could not be checked
   * with {@code unread} naming what could not be read, so its nulls do not pass for a hit.
   */
  @TestFactory
  Stream<DynamicTest> aRateLimitApprovalSaysWhetherTheLimitWasHitOrCouldNotBeChecked() {
    return Stream.of(
            new Shown(
                "the hour is full",
                RateLimitHit.over("hour", 10, 10),
                "{\"tool\":\"send_email\",\"window\":\"hour\",\"limit\":10,\"count\":10}"),
            new Shown(
                "the count could not be read",
                RateLimitHit.countUnread("hour", 10),
                "{\"tool\":\"send_email\",\"window\":\"hour\",\"limit\":10,\"count\":null,"
                    + "\"unread\":\"count\"}"),
            new Shown(
                "the tenant's policy could not be read: no limit is known, none was hit",
                RateLimitHit.policyUnread(),
                "{\"tool\":\"send_email\",\"window\":null,\"limit\":null,\"count\":null,"
                    + "\"unread\":\"policy\"}"),
            new Shown(
                "journaled before unread existed: read as a hit",
                new RateLimitHit("hour", 10, 10, null),
                "{\"tool\":\"send_email\",\"window\":\"hour\",\"limit\":10,\"count\":10}"))
        .map(
            row ->
                DynamicTest.dynamicTest(
                    row.name(),
                    () -> {
                      ApprovalRequested held =
                          new ApprovalRequested(
                              "appr_9",
                              "t1",
                              "c1",
                              "send_email",
                              json("{\"to\":\"bob\"}"),
                              T0.plus(Duration.ofHours(1)),
                              T0,
                              null,
                              null,
                              row.hit());
                      SessionState after =
                          fold(
                              running(),
                              new ToolCallStarted("t1", "c1", "send_email", json("{}"), "k", T0),
                              held);
                      LifecycleNotice n =
                          OwnEventNotices.after(ENTITY, "s1", after, List.of(held)).get(0);
                      assertEquals("rate_limit", n.data().get("reason").asText());
                      assertEquals(row.rateLimit(), n.data().get("rateLimit").toString());
                    }));
  }

  @Test
  void aRecoveryAnnouncesTheSameEventsAgainUnderTheSameIds() {
    SessionState asked = fold(running(), ASKED);
    LifecycleNotice live = OwnEventNotices.after(ENTITY, "s1", asked, List.of(ASKED)).get(0);
    List<LifecycleNotice> again = OwnEventNotices.recovered(ENTITY, "s1", asked);
    assertEquals(List.of(live.eventId()), again.stream().map(LifecycleNotice::eventId).toList());

    ApprovalGranted granted = new ApprovalGranted("appr_1", "ada", null, T0);
    TurnCompleted completed = new TurnCompleted("t1", "done", T0);
    SessionState done = fold(asked, granted, completed);
    List<String> liveIds =
        OwnEventNotices.after(ENTITY, "s1", done, List.of(granted, completed)).stream()
            .map(LifecycleNotice::eventId)
            .toList();
    assertEquals(
        liveIds,
        OwnEventNotices.recovered(ENTITY, "s1", done).stream()
            .map(LifecycleNotice::eventId)
            .toList());
    assertEquals(
        List.of(),
        OwnEventNotices.recovered("acme|other", "other", SessionState.empty()),
        "a session that does not exist announces nothing");
  }
}
