package io.agentruntime.runtime.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which schedule firings of a node may be on their way to their sessions (decision 0048), pure: at
 * most {@code max} at once; the others wait in the order they came and are let in as those in
 * flight leave. A firing is its owner (the schedule entity) and its schedule id; an owner that is
 * gone takes its firings, in flight or waiting, with it. Work that comes after the firings (the
 * turns they started: decision 0064) is held while any firing waits, and let go, all at once, as
 * soon as none does.
 *
 * @param <O> the owner of a firing
 * @param <H> what is held behind the firings
 */
final class FiringAdmission<O, H> {

  record Firing<O>(O owner, String scheduleId) {}

  /** What a step lets go: firings let in, and held work let go (both in the order they came). */
  record Let<O, H>(List<Firing<O>> firings, List<H> held) {}

  private final int max;
  private final Set<Firing<O>> inFlight = new LinkedHashSet<>();
  private final LinkedHashSet<Firing<O>> waiting = new LinkedHashSet<>();
  private final Map<O, Integer> byOwner = new HashMap<>();
  private final List<H> held = new ArrayList<>();

  FiringAdmission(int max) {
    this.max = Math.max(1, max);
  }

  /** {@code f} asks to go: lets it in now, or none (it waits). */
  Let<O, H> enter(Firing<O> f) {
    if (!inFlight.contains(f) && waiting.add(f)) {
      byOwner.merge(f.owner(), 1, Integer::sum);
    }
    return admit();
  }

  /** {@code f} was answered (or given up): lets in the firings in its place. */
  Let<O, H> leave(Firing<O> f) {
    if (inFlight.remove(f) || waiting.remove(f)) {
      byOwner.computeIfPresent(f.owner(), (o, n) -> n == 1 ? null : n - 1);
    }
    return admit();
  }

  /** The owner stopped: its firings leave; lets in the firings in their place. */
  Let<O, H> gone(O owner) {
    inFlight.removeIf(f -> f.owner().equals(owner));
    waiting.removeIf(f -> f.owner().equals(owner));
    byOwner.remove(owner);
    return admit();
  }

  /** {@code h} comes after the firings: let go now if none waits, else held until none does. */
  Let<O, H> hold(H h) {
    held.add(h);
    return admit();
  }

  /** Whether {@code owner} has a firing in flight or waiting. */
  boolean holds(O owner) {
    return byOwner.containsKey(owner);
  }

  int inFlight() {
    return inFlight.size();
  }

  int waiting() {
    return waiting.size();
  }

  int held() {
    return held.size();
  }

  private Let<O, H> admit() {
    List<Firing<O>> admitted = new ArrayList<>();
    var next = waiting.iterator();
    while (inFlight.size() < max && next.hasNext()) {
      Firing<O> f = next.next();
      next.remove();
      inFlight.add(f);
      admitted.add(f);
    }
    List<H> going = List.of();
    if (waiting.isEmpty() && !held.isEmpty()) {
      going = List.copyOf(held);
      held.clear();
    }
    return new Let<>(admitted, going);
  }
}
