package io.agentruntime.runtime.session;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Hands the session's lifecycle changes to the webhooks' feed once they are journaled (actor-side;
 * what is announced is decided by {@link LifecycleNotices} and {@link OwnEventNotices}). Nothing is
 * journaled for it and nothing waits for it: a recovery offers again what each event it replays
 * announced and what its state shows, under the same ids ({@link ReplayedNotices}), so a hand-off a
 * crash cut off is not lost (decision 0027).
 */
final class LifecycleAnnouncer {

  private final LifecycleFeed feed;
  private final Clock clock;
  private final String tenant;
  private final String entityId;
  private final String sessionId;

  /** The mark announced last (null before any). */
  private LifecycleNotices.Mark announced;

  /** What the replay under way derives, to be offered again once it ends (null: none). */
  private ReplayedNotices replay;

  private final int replayCap;

  /** False until the first recovery ended: every event folded before it is replayed. */
  private boolean recoveredOnce;

  /**
   * The sequence number of the newest event known journaled: after a restart in place, the events
   * folded up to it again are replayed ones; those past it, a write this incarnation makes.
   */
  private long journaledSeq;

  /** Whether the replay under way derives notices (decided at its first event). */
  private Boolean replayListened;

  /** The hand-offs this session began last, and all before them on this node (for its tenant). */
  private CompletionStage<Void> handOffs = LifecycleFeed.SETTLED;

  LifecycleAnnouncer(
      LifecycleFeed feed,
      Clock clock,
      String tenant,
      String entityId,
      String sessionId,
      int replayCap) {
    this.feed = feed;
    this.clock = clock;
    this.tenant = tenant;
    this.entityId = entityId;
    this.sessionId = sessionId;
    this.replayCap = replayCap;
  }

  /**
   * {@code event} was folded from {@code before} into {@code after} (the event handler): during a
   * recovery its notices are derived, to be offered when it ends; a live write is announced by
   * {@link #journaled} instead. Nothing is handed over from here.
   */
  void folded(SessionState before, SessionEvent event, SessionState after) {
    if (recoveredOnce && after.lastSeq() > journaledSeq) {
      return; // a write of this incarnation
    }
    if (replayListened == null) {
      replayListened = feed.mayListen(tenant);
    }
    if (replayListened) {
      if (replay == null) {
        replay = new ReplayedNotices(entityId, sessionId, replayCap);
      }
      replay.replayed(before, event, after);
    }
  }

  void journaled(SessionState next, List<SessionEvent> events) {
    journaledSeq = Math.max(journaledSeq, next.lastSeq());
    List<LifecycleNotice> notices =
        LifecycleNotices.after(entityId, sessionId, announced, next, events, clock.instant());
    LifecycleNotices.mark(next).ifPresent(m -> announced = m);
    notices.forEach(n -> feed.notice(tenant, n));
    List<LifecycleNotice> own = OwnEventNotices.after(entityId, sessionId, next, events);
    own.forEach(n -> feed.notice(tenant, n));
    if (!notices.isEmpty() || !own.isEmpty()) {
      handOffs = feed.settled(tenant);
    }
  }

  /**
   * Completes once what this session handed over has been taken or given up: it does not passivate
   * before (its passivation snapshot would hide a hand-off still under way).
   */
  CompletionStage<Void> handOffs() {
    return handOffs;
  }

  /**
   * Recovery ended in {@code s}: what the replay derived and what {@code s} shows are offered, in
   * the order they were made. What {@code s} shows goes out as before, to every feed; what only the
   * replay found, as a change offered again (a live-only feed ignores it).
   */
  void recovered(SessionState s) {
    recoveredOnce = true;
    journaledSeq = Math.max(journaledSeq, s.lastSeq());
    replayListened = null;
    announced = LifecycleNotices.mark(s).orElse(null);
    ReplayedNotices.Recovery r =
        (replay != null ? replay : new ReplayedNotices(entityId, sessionId, 0)).recovery(s);
    replay = null;
    for (LifecycleNotice n : r.offered()) {
      if (r.shown().contains(n.eventId())) {
        feed.notice(tenant, n);
      } else {
        feed.again(tenant, n);
      }
    }
    if (!r.offered().isEmpty()) {
      handOffs = feed.settled(tenant);
    }
  }
}
