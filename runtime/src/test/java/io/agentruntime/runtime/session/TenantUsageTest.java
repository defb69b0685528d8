package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tenant's month (decision 0045), pure: what a session's cumulative report adds (each model
 * reply counted once, whatever is sent again or lost), and when a model call is past the tenant's
 * monthly budget.
 */
class TenantUsageTest {

  private static final Instant DEC = Instant.parse("2026-12-07T10:00:00Z");
  private static final Instant JAN = Instant.parse("2027-01-01T00:00:01Z");
  private static final Instant MAR = Instant.parse("2027-03-02T00:00:00Z");

  private static Usage u(long in, long out, String usd) {
    return new Usage(in, out, new BigDecimal(usd));
  }

  private static TenantUsage.Report report(String session, Usage before, Usage after, Instant at) {
    return new TenantUsage.Report(session, before, after, at);
  }

  /** Folds the reports in order, as the entity does. */
  private static TenantUsage fold(TenantUsage.Report... reports) {
    TenantUsage s = TenantUsage.NONE;
    for (TenantUsage.Report r : reports) {
      Optional<TenantUsage.Counted> counted = s.count(r);
      if (counted.isPresent()) {
        s = s.apply(counted.get());
      }
    }
    return s;
  }

  static Stream<Arguments> reports() {
    Usage none = Usage.NONE;
    Usage one = u(40, 20, "0.08");
    Usage two = u(70, 30, "0.13");
    Usage three = u(100, 40, "0.18");
    return Stream.of(
        Arguments.of(
            "a first reply: counted", List.of(report("s1", none, one, DEC)), u(40, 20, "0.08")),
        Arguments.of(
            "the same report again (a replay): counted once",
            List.of(report("s1", none, one, DEC), report("s1", none, one, DEC)),
            u(40, 20, "0.08")),
        Arguments.of(
            "a report overtaken by a later one: counted once",
            List.of(report("s1", one, two, DEC), report("s1", none, one, DEC)),
            u(70, 30, "0.13")),
        Arguments.of(
            "a report lost in between: the next one counts it",
            List.of(report("s1", none, one, DEC), report("s1", two, three, DEC)),
            u(100, 40, "0.18")),
        Arguments.of(
            "a recovered session reports what it has: what was lost is counted",
            List.of(report("s1", none, one, DEC), report("s1", two, two, DEC)),
            u(70, 30, "0.13")),
        Arguments.of(
            "a session never counted recovers with its usage as a baseline: nothing",
            List.of(report("s1", two, two, DEC)),
            none),
        Arguments.of(
            "a session's first report overtaken by its second: both counted, once",
            List.of(
                report("s1", one, two, DEC),
                report("s1", none, one, DEC),
                report("s1", none, one, DEC)),
            u(70, 30, "0.13")),
        Arguments.of(
            "two reports merged on a node while its previous count was on the way: both counted",
            List.of(TenantMonths.merged(report("s1", none, one, DEC), report("s1", one, two, DEC))),
            u(70, 30, "0.13")),
        Arguments.of(
            "two sessions: both count",
            List.of(report("s1", none, one, DEC), report("s2", none, one, DEC)),
            u(80, 40, "0.16")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("reports")
  void eachReplyIsCountedOnce(String name, List<TenantUsage.Report> reports, Usage expected) {
    TenantUsage s = fold(reports.toArray(TenantUsage.Report[]::new));
    Usage month = s.in("2026-12").usage();
    assertEquals(expected.inputTokens(), month.inputTokens(), name);
    assertEquals(expected.outputTokens(), month.outputTokens(), name);
    assertEquals(0, expected.costUsd().compareTo(month.costUsd()), name + ": " + month);
  }

  @Test
  void aNewMonthStartsFromNothingAndCountsOnlyWhatWasSpentInIt() {
    TenantUsage s =
        fold(
            report("s1", Usage.NONE, u(40, 20, "0.08"), DEC),
            report("s1", u(40, 20, "0.08"), u(70, 30, "0.13"), JAN));
    assertEquals(60, tokens(s.in("2026-12").usage()));
    assertEquals(40, tokens(s.in("2027-01").usage()), "only the January reply");
    assertEquals(0, tokens(s.in("2027-02").usage()));
  }

  @Test
  void theMarksOfSessionsIdleForOverAMonthAreDropped() {
    TenantUsage s =
        fold(
            report("idle", Usage.NONE, u(40, 20, "0"), DEC),
            report("busy", Usage.NONE, u(1, 1, "0"), JAN),
            report("busy", u(1, 1, "0"), u(2, 2, "0"), MAR));
    assertFalse(s.marks().containsKey("idle"), s.marks().toString());
    assertTrue(s.marks().containsKey("busy"));
  }

  private static long tokens(Usage u) {
    return u.inputTokens() + u.outputTokens();
  }

  private static TenantMonth month(long tokenLimit, String costLimit, Usage spent) {
    return new TenantMonth(
        new TenantBudgets(tokenLimit, costLimit == null ? null : new BigDecimal(costLimit)),
        new TenantUsage.Spent("2026-12", spent));
  }

  static Stream<Arguments> budgets() {
    return Stream.of(
        Arguments.of("no budget", month(0, null, u(10_000, 10_000, "100")), null),
        Arguments.of("tokens below", month(100, null, u(50, 49, "0")), null),
        Arguments.of("tokens reached", month(100, null, u(50, 50, "0")), "monthlyTokens"),
        Arguments.of("cost below", month(0, "1", u(0, 0, "0.99")), null),
        Arguments.of("cost reached", month(0, "1", u(0, 0, "1.00")), "monthlyCost"),
        Arguments.of("both reached: tokens first", month(1, "1", u(5, 5, "5")), "monthlyTokens"),
        Arguments.of("a cost budget of 0 is none", month(0, "0", u(0, 0, "5")), null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("budgets")
  void aModelCallPastATenantBudgetIsFound(String name, TenantMonth m, String budget) {
    assertEquals(Optional.ofNullable(budget), Budgets.exceeded(m).map(Budgets.Exceeded::budget));
  }

  @Test
  void aRaiseNeverLowersABudgetRaisedFurtherMeanwhile() {
    TenantBudgets b = new TenantBudgets(5000, new BigDecimal("10"));
    assertEquals(5000, b.raised(Budgets.MONTHLY_TOKENS, new BigDecimal(3000)).monthlyTokens());
    assertEquals(8000, b.raised(Budgets.MONTHLY_TOKENS, new BigDecimal(8000)).monthlyTokens());
    assertEquals(
        new BigDecimal("10"), b.raised(Budgets.MONTHLY_COST, new BigDecimal("2")).monthlyCost());
    assertEquals(
        new BigDecimal("12.5"),
        b.raised(Budgets.MONTHLY_COST, new BigDecimal("12.5")).monthlyCost());
  }
}
