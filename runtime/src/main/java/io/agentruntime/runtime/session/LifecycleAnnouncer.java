package io.agentruntime.runtime.session;

import java.time.Clock;
import java.util.List;

/**
 * Hands the session's lifecycle changes to the webhooks' feed once they are journaled (actor-side;
 * what is announced is decided by {@link LifecycleNotices} and {@link OwnEventNotices}). Nothing is
 * journaled for it and nothing waits for it: after a crash, recovery announces the recent changes
 * again.
 */
final class LifecycleAnnouncer {

  private final LifecycleFeed feed;
  private final Clock clock;
  private final String tenant;
  private final String entityId;
  private final String sessionId;

  /** The mark announced last (null before any). */
  private LifecycleNotices.Mark announced;

  LifecycleAnnouncer(
      LifecycleFeed feed, Clock clock, String tenant, String entityId, String sessionId) {
    this.feed = feed;
    this.clock = clock;
    this.tenant = tenant;
    this.entityId = entityId;
    this.sessionId = sessionId;
  }

  void journaled(SessionState next, List<SessionEvent> events) {
    List<LifecycleNotice> notices =
        LifecycleNotices.after(entityId, sessionId, announced, next, events, clock.instant());
    LifecycleNotices.mark(next).ifPresent(m -> announced = m);
    notices.forEach(n -> feed.notice(tenant, n));
    OwnEventNotices.after(entityId, sessionId, next, events).forEach(n -> feed.notice(tenant, n));
  }

  void recovered(SessionState s) {
    announced = LifecycleNotices.mark(s).orElse(null);
    LifecycleNotices.recovered(entityId, sessionId, s).forEach(n -> feed.notice(tenant, n));
    OwnEventNotices.recovered(entityId, sessionId, s).forEach(n -> feed.notice(tenant, n));
  }
}
