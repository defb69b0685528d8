package io.agentruntime.runtime.session;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The webhook notices a recovery offers again (no I/O; decision 0027, addendum of issue 14): what
 * its starting state (the snapshot) shows, then what each replayed event announced when it was
 * journaled, under the same ids, then what the recovered state shows. A change whose hand-off a
 * crash cut off is so offered again even when the state no longer shows it (the {@code idle} of a
 * turn followed at once by another, an approval already decided); the outbox acknowledges the ones
 * it knows with no write.
 *
 * <p>Each replayed event is read on its own, so a mark one write passed through may be offered
 * although the live path, which reads a whole write at once, did not announce it (the {@code idle}
 * of a turn that a close cancelled, before the session's {@code failed}). Only the newest {@code
 * cap} notices of the replay are kept: a long replay offers a bounded tail, not its whole history.
 */
public final class ReplayedNotices {

  private final String entityId;
  private final String sessionId;
  private final int cap;

  /** By event id, in the order they were first made; the eldest go past {@link #cap}. */
  private final LinkedHashMap<String, LifecycleNotice> kept;

  private boolean started;
  private LifecycleNotices.Mark last;

  public ReplayedNotices(String entityId, String sessionId, int cap) {
    this.entityId = entityId;
    this.sessionId = sessionId;
    this.cap = Math.max(0, cap);
    this.kept =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, LifecycleNotice> eldest) {
            return size() > ReplayedNotices.this.cap;
          }
        };
  }

  /** The notices a replay of {@code events} from {@code start} offers, ending in its state. */
  public static List<LifecycleNotice> of(
      String entityId, String sessionId, SessionState start, List<SessionEvent> events, int cap) {
    ReplayedNotices replay = new ReplayedNotices(entityId, sessionId, cap);
    SessionState s = start;
    for (SessionEvent e : events) {
      SessionState next = s.apply(e);
      replay.replayed(s, e, next);
      s = next;
    }
    return replay.recovered(s);
  }

  /** {@code event} was replayed: it led from {@code before} to {@code after}. */
  public void replayed(SessionState before, SessionEvent event, SessionState after) {
    if (!started) {
      started = true;
      last = LifecycleNotices.mark(before).orElse(null);
      if (before.exists()) {
        // The snapshot: what it shows may not have been handed over when it was taken.
        keep(LifecycleNotices.recovered(entityId, sessionId, before));
        keep(OwnEventNotices.recovered(entityId, sessionId, before));
      }
    }
    if (!after.exists()) {
      return; // erased: nothing of it is announced again
    }
    List<SessionEvent> one = List.of(event);
    keep(LifecycleNotices.after(entityId, sessionId, last, after, one, event.at()));
    LifecycleNotices.mark(after).ifPresent(m -> last = m);
    keep(OwnEventNotices.after(entityId, sessionId, after, one));
  }

  /**
   * What to offer now that recovery ended in {@code s}: the replay's notices (the newest {@code
   * cap}), then what {@code s} shows that they lack; nothing for a session that does not exist. The
   * replay starts afresh after.
   */
  public List<LifecycleNotice> recovered(SessionState s) {
    return recovery(s).offered();
  }

  /**
   * What a recovery offers ({@code offered}, in the order the changes were made) and, of those, the
   * ids of what the recovered state itself shows ({@code shown}): a live-only feed takes these
   * alone (decision 0036).
   */
  public record Recovery(List<LifecycleNotice> offered, Set<String> shown) {}

  /** As {@link #recovered}, telling which notices the recovered state shows. */
  public Recovery recovery(SessionState s) {
    List<LifecycleNotice> offered = new ArrayList<>();
    Set<String> shownIds = new HashSet<>();
    if (s.exists()) {
      offered.addAll(kept.values());
      List<LifecycleNotice> shown = new ArrayList<>();
      shown.addAll(LifecycleNotices.recovered(entityId, sessionId, s));
      shown.addAll(OwnEventNotices.recovered(entityId, sessionId, s));
      for (LifecycleNotice n : shown) {
        shownIds.add(n.eventId());
        if (!kept.containsKey(n.eventId())) {
          offered.add(n);
        }
      }
    }
    kept.clear();
    started = false;
    last = null;
    return new Recovery(offered, shownIds);
  }

  private void keep(List<LifecycleNotice> notices) {
    for (LifecycleNotice n : notices) {
      kept.putIfAbsent(n.eventId(), n);
    }
  }
}
