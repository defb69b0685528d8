package io.agentruntime.runtime.session;

import io.agentruntime.runtime.CborSerializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * What a tenant's sessions spent, per calendar month (UTC), as its {@link TenantUsageEntity}
 * counted it (decision 0045). Pure: {@link #count} decides what a session's report adds, {@link
 * #apply} folds it. Each session reports its <em>cumulative</em> usage (never a delta), so a report
 * sent twice, replayed or overtaken by a later one adds nothing more: {@code marks} keeps, per
 * session, the cumulative usage counted so far (and the month of its last report, so that the marks
 * of sessions idle for over a month are dropped and the state stays as large as the active
 * sessions).
 *
 * @param months the usage per month ({@code 2026-12}), the last twelve kept
 * @param marks per session, the cumulative usage counted so far and the month it was last counted
 */
public record TenantUsage(Map<String, Usage> months, Map<String, Mark> marks)
    implements CborSerializable {

  /** Nothing counted yet. */
  public static final TenantUsage NONE = new TenantUsage(Map.of(), Map.of());

  /** Months kept, the current one included. */
  static final int MONTHS_KEPT = 12;

  public TenantUsage {
    months = persistent(months);
    marks = persistent(marks);
  }

  /**
   * As a persistent map: a count adds one mark in O(log n) instead of copying every active
   * session's (a busy tenant has thousands); read back from the journal, a plain map is converted
   * once.
   */
  private static <V> PMap<String, V> persistent(Map<String, V> map) {
    if (map instanceof PMap<String, V> p) {
      return p;
    }
    return map == null ? HashTreePMap.empty() : HashTreePMap.from(map);
  }

  /**
   * What was counted of a session: its cumulative usage from {@code floor} (the lowest {@code
   * before} reported) to {@code usage} (the highest {@code after}), last counted in {@code month}.
   */
  public record Mark(Usage usage, Usage floor, String month) implements CborSerializable {}

  /**
   * A session's report: its cumulative usage {@code after} a model reply journaled at {@code at},
   * and what it was {@code before} that reply (what a session never counted before starts from).
   */
  public record Report(String sessionId, Usage before, Usage after, Instant at)
      implements CborSerializable {}

  /**
   * The one event of {@link TenantUsageEntity}: {@code delta} counted in {@code month}, the
   * session's counted range now from {@code floor} to {@code mark}.
   */
  public record Counted(String sessionId, String month, Usage delta, Usage mark, Usage floor)
      implements CborSerializable {}

  /** What the tenant spent in {@code month}: what the entity answers, and the nodes cache. */
  public record Spent(String month, Usage usage) implements CborSerializable {
    /** Nothing known spent (a tenant without monthly budgets is not asked). */
    public static final Spent NONE = new Spent("", Usage.NONE);
  }

  /** The calendar month (UTC) of {@code at}, as {@code 2026-12}. */
  public static String month(Instant at) {
    return YearMonth.from(at.atZone(ZoneOffset.UTC)).toString();
  }

  /** What was spent in {@code month} (nothing: {@link Usage#NONE}). */
  public Spent in(String month) {
    return new Spent(month, months.getOrDefault(month, Usage.NONE));
  }

  /**
   * What {@code r} adds: the part of its range ({@code before} to {@code after}) outside what was
   * counted of the session (its mark's {@code floor} to {@code usage}; a session not counted in the
   * last two months: nothing yet), in the month of its time. Above the counted range it counts from
   * the range's top (a report lost in between is counted by the next one: the usage is cumulative);
   * below it, down from the floor (a report overtaken by a later one). Nothing when it adds nothing
   * (a report again, or a replay).
   */
  Optional<Counted> count(Report r) {
    Mark mark = marks.get(r.sessionId());
    Usage before = r.before();
    Usage after = r.after();
    Usage top = mark != null ? mark.usage() : before;
    Usage floor = mark != null ? mark.floor() : before;
    Usage delta = plus(above(after, top), between(before, min(after, floor)));
    if (delta.inputTokens() == 0 && delta.outputTokens() == 0 && delta.costUsd().signum() == 0) {
      return Optional.empty();
    }
    return Optional.of(
        new Counted(r.sessionId(), month(r.at()), delta, max(after, top), min(before, floor)));
  }

  /** What of {@code value} lies above {@code top}, per component (0 where it does not). */
  private static Usage above(Usage value, Usage top) {
    return between(top, value);
  }

  /** {@code high - low} per component, 0 where {@code high} is not above {@code low}. */
  private static Usage between(Usage low, Usage high) {
    return new Usage(
        Math.max(0, high.inputTokens() - low.inputTokens()),
        Math.max(0, high.outputTokens() - low.outputTokens()),
        high.costUsd().subtract(low.costUsd()).max(BigDecimal.ZERO));
  }

  private static Usage plus(Usage a, Usage b) {
    return a.plus(b.inputTokens(), b.outputTokens(), b.costUsd());
  }

  private static Usage min(Usage a, Usage b) {
    return new Usage(
        Math.min(a.inputTokens(), b.inputTokens()),
        Math.min(a.outputTokens(), b.outputTokens()),
        a.costUsd().min(b.costUsd()));
  }

  private static Usage max(Usage a, Usage b) {
    return new Usage(
        Math.max(a.inputTokens(), b.inputTokens()),
        Math.max(a.outputTokens(), b.outputTokens()),
        a.costUsd().max(b.costUsd()));
  }

  /**
   * The usage after {@code e}: its month grows and its session's mark moves. When {@code e} opens a
   * month, months past the twelve kept and the marks of sessions idle since before the last month
   * drop: a walk over every mark once a month, not on every count.
   */
  TenantUsage apply(Counted e) {
    PMap<String, Usage> nextMonths = (PMap<String, Usage>) months;
    PMap<String, Mark> nextMarks = (PMap<String, Mark>) marks;
    if (opensAMonth(e.month())) {
      YearMonth now = YearMonth.parse(e.month());
      String oldestMark = now.minusMonths(1).toString();
      String oldestMonth = now.minusMonths(MONTHS_KEPT - 1).toString();
      for (var m : months.entrySet()) {
        if (m.getKey().compareTo(oldestMonth) < 0) {
          nextMonths = nextMonths.minus(m.getKey());
        }
      }
      for (var m : marks.entrySet()) {
        if (m.getValue().month().compareTo(oldestMark) < 0) {
          nextMarks = nextMarks.minus(m.getKey());
        }
      }
    }
    Usage was = nextMonths.getOrDefault(e.month(), Usage.NONE);
    nextMonths =
        nextMonths.plus(
            e.month(),
            was.plus(e.delta().inputTokens(), e.delta().outputTokens(), e.delta().costUsd()));
    nextMarks = nextMarks.plus(e.sessionId(), new Mark(e.mark(), e.floor(), e.month()));
    return new TenantUsage(nextMonths, nextMarks);
  }

  /** Whether no month at or after {@code month} was counted yet. */
  private boolean opensAMonth(String month) {
    for (String m : months.keySet()) {
      if (m.compareTo(month) >= 0) {
        return false;
      }
    }
    return true;
  }
}
