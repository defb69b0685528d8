package io.agentruntime.runtime.session;

import io.agentruntime.runtime.directory.ListedUsage;
import io.agentruntime.runtime.directory.SessionDirectory;
import io.agentruntime.runtime.directory.SessionSummary;
import io.agentruntime.runtime.session.SessionEvent.SessionClosed;
import io.agentruntime.runtime.session.SessionEvent.SessionCreated;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the session's line in the directory (the read model behind {@code GET /v1/sessions})
 * current (actor-side). A change of status or of cost is written after it was journaled (after the
 * status listing delay, if it still stands), never holding a reply; a lost write is healed by the
 * next change or the next recovery. Each write names the cost the previous one listed, so the
 * listing by cost moves the session instead of listing it twice (decision 0063). Creation and
 * closing are {@link #announce}d: their reply waits for the write, so a listing never misses an
 * acknowledged session.
 */
final class DirectoryListing {

  /** Future callbacks run off the actor's thread, where {@code ctx.getLog()} may not be used. */
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryListing.class);

  private static final String LIST_STATUS = "list-status";

  private final ActorContext<SessionCommand> ctx;
  private final TimerScheduler<SessionCommand> timers;
  private final SessionDirectory directory;
  private final Duration delay;
  private final String tenant;
  private final String sessionId;

  /** The status this entity last wrote to the directory (null before it wrote one). */
  private SessionStatus listedStatus;

  /** The cost this entity last wrote to the directory (null before it wrote one). */
  private BigDecimal listedCost;

  DirectoryListing(
      ActorContext<SessionCommand> ctx,
      TimerScheduler<SessionCommand> timers,
      SessionDirectory directory,
      Duration delay,
      String tenant,
      String sessionId) {
    this.ctx = ctx;
    this.timers = timers;
    this.directory = directory;
    this.delay = delay;
    this.tenant = tenant;
    this.sessionId = sessionId;
  }

  /** After a persist: a new status is written now, or once the listing delay has passed. */
  void journaled(SessionState next, List<SessionEvent> events) {
    boolean announced =
        events.stream().anyMatch(e -> e instanceof SessionCreated || e instanceof SessionClosed);
    if (!next.exists() || announced) {
      return;
    }
    if (listed(next)) {
      timers.cancel(LIST_STATUS);
    } else if (delay.isZero()) {
      write(next);
    } else if (!timers.isTimerActive(LIST_STATUS)) {
      timers.startSingleTimer(LIST_STATUS, new InternalCommand.ListStatus(), delay);
    }
  }

  /** Writes the line if its status or cost changed since the last write; nobody waits for it. */
  void write(SessionState s) {
    if (!s.exists() || listed(s)) {
      return;
    }
    directory
        .upsert(summary(s), listing(s))
        .whenComplete(
            (done, failure) -> {
              if (failure != null) {
                LOG.warn(
                    "Directory write of status {} for session {} failed: {}",
                    s.status().wireName(),
                    sessionId,
                    failure.toString());
              }
            });
  }

  /** Writes the session's line; {@code DirectoryWritten(owed)} follows, whatever the outcome. */
  void announce(SessionState s, long owed) {
    timers.cancel(LIST_STATUS);
    ctx.pipeToSelf(
        directory.upsert(summary(s), listing(s)),
        (done, failure) -> {
          if (failure != null) {
            ctx.getLog()
                .warn(
                    "Directory write for session {} failed; it is repeated on the next recovery",
                    sessionId,
                    failure);
          }
          return new InternalCommand.DirectoryWritten(owed);
        });
  }

  /** After recovery: the line is written again (it heals a write that was lost). */
  void recovered(SessionState s) {
    listing(s);
    directory.upsert(summary(s), Optional.empty()); // what an earlier incarnation listed is unknown
  }

  /** Whether the directory was last told this status and this cost. */
  private boolean listed(SessionState s) {
    return s.status() == listedStatus
        && listedCost != null
        && listedCost.compareTo(s.usage().costUsd()) == 0;
  }

  /** Records {@code s} as listed; answers the cost listed before it (empty: none yet). */
  private Optional<BigDecimal> listing(SessionState s) {
    Optional<BigDecimal> before = Optional.ofNullable(listedCost);
    listedStatus = s.status();
    listedCost = s.usage().costUsd();
    return before;
  }

  private SessionSummary summary(SessionState s) {
    Usage u = s.usage();
    return new SessionSummary(
        tenant,
        sessionId,
        s.owner().user(),
        s.status().wireName(),
        s.createdAt(),
        s.updatedAt(),
        new ListedUsage(u.inputTokens(), u.outputTokens(), u.costUsd()));
  }
}
