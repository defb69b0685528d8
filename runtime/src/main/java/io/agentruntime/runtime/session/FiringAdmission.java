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
 * gone takes its firings, in flight or waiting, with it.
 *
 * @param <O> the owner of a firing
 */
final class FiringAdmission<O> {

  record Firing<O>(O owner, String scheduleId) {}

  private final int max;
  private final Set<Firing<O>> inFlight = new LinkedHashSet<>();
  private final LinkedHashSet<Firing<O>> waiting = new LinkedHashSet<>();
  private final Map<O, Integer> byOwner = new HashMap<>();

  FiringAdmission(int max) {
    this.max = Math.max(1, max);
  }

  /** {@code f} asks to go: returns the firings let in now (it, or none: it waits). */
  List<Firing<O>> enter(Firing<O> f) {
    if (!inFlight.contains(f) && waiting.add(f)) {
      byOwner.merge(f.owner(), 1, Integer::sum);
    }
    return admit();
  }

  /** {@code f} was answered (or given up): returns the firings let in in its place. */
  List<Firing<O>> leave(Firing<O> f) {
    if (inFlight.remove(f) || waiting.remove(f)) {
      byOwner.computeIfPresent(f.owner(), (o, n) -> n == 1 ? null : n - 1);
    }
    return admit();
  }

  /** The owner stopped: its firings leave; returns the firings let in in their place. */
  List<Firing<O>> gone(O owner) {
    inFlight.removeIf(f -> f.owner().equals(owner));
    waiting.removeIf(f -> f.owner().equals(owner));
    byOwner.remove(owner);
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

  private List<Firing<O>> admit() {
    List<Firing<O>> admitted = new ArrayList<>();
    var next = waiting.iterator();
    while (inFlight.size() < max && next.hasNext()) {
      Firing<O> f = next.next();
      next.remove();
      inFlight.add(f);
      admitted.add(f);
    }
    return admitted;
  }
}
