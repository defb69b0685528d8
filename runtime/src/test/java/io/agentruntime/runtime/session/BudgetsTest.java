package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agentruntime.runtime.session.SessionEvent.AssistantReplied;
import io.agentruntime.runtime.session.SessionEvent.SessionCreated;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which budget a model call starting now would pass (decision 0039): tokens, then cost. */
class BudgetsTest {

  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

  /** A session with these limits whose one reply counted 60 + 50 tokens costing {@code cost}. */
  private static SessionState spent(long maxTokens, String maxCost, String cost) {
    SessionSpec spec =
        new SessionSpec(
            new AgentDefinition(
                "",
                "default",
                new Limits(8, 600, maxTokens, maxCost == null ? null : new BigDecimal(maxCost))),
            List.of(),
            new PermissionPolicy(Map.of()),
            Map.of(),
            Map.of());
    return SessionState.empty()
        .apply(new SessionCreated(new Owner("acme", "ada"), spec, T0))
        .apply(
            new AssistantReplied(
                "t1", 1, "", List.of(), 60, 50, T0, cost == null ? null : new BigDecimal(cost)));
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of("no limits", spent(0, null, "9.99"), null),
        Arguments.of("token budget spent", spent(100, null, null), "tokens"),
        Arguments.of("token budget not spent", spent(200, null, null), null),
        Arguments.of("cost budget spent", spent(0, "0.50", "0.60"), "cost"),
        Arguments.of("cost budget spent exactly", spent(0, "0.60", "0.60"), "cost"),
        Arguments.of("cost budget not spent", spent(0, "0.61", "0.60"), null),
        Arguments.of("cost limit 0: none", spent(0, "0", "0.60"), null),
        Arguments.of("cost unknown (unpriced): counted 0", spent(0, "0.50", null), null),
        Arguments.of("both spent: tokens first", spent(100, "0.50", "0.60"), "tokens"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void theBudgetAModelCallWouldPass(String name, SessionState s, String budget) {
    assertEquals(
        Optional.ofNullable(budget), Budgets.exceeded(s).map(Budgets.Exceeded::budget), name);
  }

  static Stream<Arguments> raises() {
    return Stream.of(
        Arguments.of("{\"maxSessionCost\": 1}", null),
        Arguments.of("{\"maxSessionCost\": 0.61}", null),
        Arguments.of("{\"maxSessionCost\": 0.6}", "raise.maxSessionCost"),
        Arguments.of("{\"maxSessionCost\": -1}", "raise.maxSessionCost"),
        Arguments.of("{\"maxSessionCost\": \"1\"}", "raise.maxSessionCost"),
        Arguments.of("{\"maxSessionTokens\": 1000}", "raise.maxSessionCost"),
        Arguments.of("{}", "raise.maxSessionCost"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("raises")
  void aCostApprovalIsRaisedByMaxSessionCostAboveWhatWasSpent(String raise, String refusedParam) {
    SessionState s = spent(0, "0.50", "0.60");
    Approval costApproval =
        new Approval(
            "appr_c",
            "t1",
            null,
            null,
            json("{\"budget\":\"cost\"}"),
            Approval.BUDGET,
            T0,
            T0,
            Approval.PENDING,
            null,
            null,
            null,
            null);
    Budgets.Raise taken = Budgets.raise(s, costApproval, json(raise));
    assertEquals(refusedParam, taken.problem() == null ? null : taken.problem().field(), raise);
    if (refusedParam == null) {
      assertEquals(
          0, json(raise).get("maxSessionCost").decimalValue().compareTo(taken.maxSessionCost()));
    }
  }
}
