package io.agentruntime.runtime.session;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;
import org.pcollections.PVector;
import org.pcollections.TreePVector;

/**
 * A session's turns in the order they came, immutable: adding or changing one costs O(log n) and
 * shares the rest with the list it came from, so folding an event never copies the history
 * (decision 0050). It knows where its oldest unended turn is: turns end in order, except a queued
 * one that is cancelled, so the turns still going are all at or after it, a few at the end.
 */
final class TurnList extends AbstractList<Turn> {

  private static final TurnList EMPTY = new TurnList(TreePVector.empty(), 0, 0);

  private final PVector<Turn> turns;

  /** Index of the oldest turn that has not ended; {@code size()} when all have. */
  private final int firstOpen;

  /** What the turns weigh as {@link SessionSize#of(Turn)} counts, kept as they change. */
  private final long bytes;

  private TurnList(PVector<Turn> turns, int firstOpen, long bytes) {
    this.turns = turns;
    this.firstOpen = firstOpen;
    this.bytes = bytes;
  }

  static TurnList empty() {
    return EMPTY;
  }

  static TurnList of(List<Turn> turns) {
    if (turns instanceof TurnList list) {
      return list;
    }
    if (turns.isEmpty()) {
      return EMPTY;
    }
    long bytes = 0;
    for (Turn turn : turns) {
      bytes += SessionSize.of(turn);
    }
    return new TurnList(TreePVector.from(turns), 0, bytes).skipEnded();
  }

  /** What the turns weigh, as {@link SessionSize#of(Turn)} counts (not summed again per call). */
  long bytes() {
    return bytes;
  }

  @Override
  public Turn get(int index) {
    return turns.get(index);
  }

  @Override
  public int size() {
    return turns.size();
  }

  @Override
  public java.util.Iterator<Turn> iterator() {
    return turns.iterator();
  }

  /** The turns that have not ended, oldest first (may include ended ones after the first). */
  List<Turn> fromFirstOpen() {
    List<Turn> open = new java.util.ArrayList<>(turns.size() - firstOpen);
    for (int i = firstOpen; i < turns.size(); i++) {
      open.add(turns.get(i));
    }
    return open;
  }

  TurnList plus(Turn turn) {
    int open = firstOpen == turns.size() && turn.status().terminal() ? firstOpen + 1 : firstOpen;
    return new TurnList(turns.plus(turn), open, bytes + SessionSize.of(turn));
  }

  /**
   * The turn of this id changed by {@code change}; this list if there is none. The turns still
   * going are searched first: they are the ones events change. (Turn ids are random and unique.)
   */
  TurnList update(String turnId, UnaryOperator<Turn> change) {
    int at = indexOf(turnId);
    if (at < 0) {
      return this;
    }
    Turn before = turns.get(at);
    Turn changed = change.apply(before);
    int open = changed.status().terminal() ? firstOpen : Math.min(firstOpen, at);
    long weight = bytes - SessionSize.of(before) + SessionSize.of(changed);
    return new TurnList(turns.with(at, changed), open, weight).skipEnded();
  }

  /** Every turn still going changed by {@code change} (ended turns stay as they are). */
  TurnList updateOpen(UnaryOperator<Turn> change) {
    PVector<Turn> next = turns;
    long weight = bytes;
    for (int i = firstOpen; i < turns.size(); i++) {
      Turn t = turns.get(i);
      if (!t.status().terminal()) {
        Turn changed = change.apply(t);
        next = next.with(i, changed);
        weight += SessionSize.of(changed) - SessionSize.of(t);
      }
    }
    return new TurnList(next, firstOpen, weight).skipEnded();
  }

  Optional<Turn> find(String turnId) {
    int at = indexOf(turnId);
    return at < 0 ? Optional.empty() : Optional.of(turns.get(at));
  }

  private int indexOf(String turnId) {
    for (int i = firstOpen; i < turns.size(); i++) {
      if (turns.get(i).id().equals(turnId)) {
        return i;
      }
    }
    int i = 0;
    for (java.util.Iterator<Turn> ended = turns.iterator(); i < firstOpen; i++) {
      if (ended.next().id().equals(turnId)) {
        return i;
      }
    }
    return -1;
  }

  private TurnList skipEnded() {
    int open = firstOpen;
    while (open < turns.size() && turns.get(open).status().terminal()) {
      open++;
    }
    return open == firstOpen ? this : new TurnList(turns, open, bytes);
  }

  /**
   * {@code limit} turns, newest first, after the turn {@code afterTurnId} (null: from the newest),
   * fewer when more would take over {@code budget} bytes as {@code size} measures one (a page holds
   * at least one turn); replies {@code TurnList}, or {@code Rejected} for a bad limit or cursor.
   */
  static SessionReply page(
      List<Turn> turns, String afterTurnId, int limit, ToIntFunction<Turn> size, int budget) {
    if (limit < 1) {
      return new SessionReply.Rejected(Problem.invalid("limit", "limit must be at least 1"));
    }
    List<Turn> newestFirst = new ArrayList<>(turns);
    Collections.reverse(newestFirst);
    int from = 0;
    if (afterTurnId != null) {
      from = -1;
      for (int i = 0; i < newestFirst.size(); i++) {
        if (newestFirst.get(i).id().equals(afterTurnId)) {
          from = i + 1;
        }
      }
      if (from < 0) {
        return new SessionReply.Rejected(
            Problem.invalid("cursor", "cursor names no turn of this session"));
      }
    }
    int to = from;
    long bytes = 0;
    while (to < newestFirst.size() && to - from < limit) {
      int next = size.applyAsInt(newestFirst.get(to));
      if (to > from && bytes + next > budget) {
        break;
      }
      bytes += next;
      to++;
    }
    String next = to < newestFirst.size() ? newestFirst.get(to - 1).id() : null;
    return new SessionReply.TurnList(newestFirst.subList(from, to), next);
  }
}
