package io.agentruntime.runtime.session;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.typed.SnapshotAdapter;

/**
 * How an idle session stops (actor-side). It passivates, after saving a snapshot at its last event
 * if it wrote enough since its newest snapshot (snapshot-on-passivation-min-events), so that its
 * next recovery reads no events (decision 0051). The snapshot follows a journaled {@link
 * SessionEvent.SessionPassivating}, the only way typed persistence takes one; commands that come
 * meanwhile wait in Pekko's stash, and the session stops only if nothing was journaled by the time
 * the snapshot is written (or failed).
 */
final class Passivation {

  /**
   * Snapshots are stored as {@link SessionSnapshot}s; one written before them is a whole {@link
   * SessionState} and is taken as it is (decision 0050).
   */
  static final SnapshotAdapter<SessionState> SNAPSHOTS =
      new SnapshotAdapter<>() {
        @Override
        public Object toJournal(SessionState state) {
          return SessionSnapshot.of(state);
        }

        @Override
        public SessionState fromJournal(Object stored) {
          return stored instanceof SessionSnapshot snapshot
              ? snapshot.toState()
              : (SessionState) stored;
        }
      };

  /**
   * At debug level (with the schedules' split, decision 0048): when a session stops and when it
   * recovers, to tell a firing that found its session in memory from one that woke it.
   */
  private static final org.slf4j.Logger TRACE =
      org.slf4j.LoggerFactory.getLogger("io.agentruntime.runtime.session.ScheduleEntity.sessions");

  private final ActorContext<SessionCommand> ctx;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final SessionSettings settings;
  private final String persistenceId;
  private final String sessionId;
  private final Clock clock;

  /**
   * The sequence number of the newest snapshot this incarnation loaded or had Pekko save (0: none):
   * counted when the save is asked for, and taken back when it fails ({@link #snapshotFailed}), so
   * that the next passivation tries again rather than leave recovery ever longer.
   */
  private long snapshotSeq;

  /** {@link #snapshotSeq} before the save last asked for, to go back to if it fails. */
  private long beforeSave;

  /**
   * A snapshot that failed before its events' side effects ran (Pekko signals the failure first),
   * so that it is not counted when they run; 0: none.
   */
  private long failedSeq;

  /** {@link #snapshotSeq} when the passivation marker was asked for. */
  private long beforeMarker;

  /** Epoch millis before which the session stays in memory (a schedule's run is due: 0048). */
  private long awakeUntil;

  /** The session's webhook hand-offs under way (decision 0027). */
  private final Supplier<CompletionStage<Void>> handOffs;

  /** The hand-offs an idle check waits for already (null: none). */
  private CompletableFuture<Void> awaited;

  /** Epoch millis since which passivation waits for hand-offs (0: it does not). */
  private long holdingSince;

  /**
   * @param shard the shard to passivate through (null outside sharding: the session never stops)
   */
  Passivation(
      ActorContext<SessionCommand> ctx,
      ActorRef<ClusterSharding.ShardCommand> shard,
      SessionSettings settings,
      String persistenceId,
      String sessionId,
      Clock clock,
      Supplier<CompletionStage<Void>> handOffs) {
    this.ctx = ctx;
    this.handOffs = handOffs;
    this.shard = shard;
    this.settings = settings;
    this.persistenceId = persistenceId;
    this.sessionId = sessionId;
    this.clock = clock;
  }

  /**
   * The session was idle: it stops now (empty), or first journals the returned marker, after which
   * {@link #markerJournaled} runs.
   */
  Optional<SessionEvent> idle(SessionState s, boolean followed) {
    if (!may(s, followed) || heldAwake() || handingOver()) {
      return Optional.empty();
    }
    if (!settings.snapshotOnPassivation()
        || s.erased()
        || s.lastSeq() - snapshotSeq < Math.max(1, settings.snapshotOnPassivationMinEvents())) {
      stop();
      return Optional.empty();
    }
    beforeMarker = snapshotSeq;
    return Optional.of(new SessionEvent.SessionPassivating(clock.instant()));
  }

  /** The snapshot of {@code seq} was written or failed: the session stops if still idle. */
  void ready(SessionState s, boolean followed, long seq) {
    if (may(s, followed) && s.lastSeq() == seq && !heldAwake()) {
      stop();
    }
  }

  /**
   * A schedule's run is due soon ({@link SessionCommand.Wake}): the session stays in memory until
   * {@code untilMillis}, so that the run finds it recovered.
   */
  void keepAwake(long untilMillis) {
    awakeUntil = Math.max(awakeUntil, untilMillis);
  }

  /** The session recovered (logged at debug with the schedules' split). */
  void recovered() {
    if (TRACE.isDebugEnabled()) {
      TRACE.debug("Session {} recovered", sessionId);
    }
  }

  /** Whether a wake holds the session now; if so, it checks again once the hold ends. */
  private boolean heldAwake() {
    long left = awakeUntil - clock.millis();
    if (left <= 0) {
      return false;
    }
    ctx.scheduleOnce(
        java.time.Duration.ofMillis(left), ctx.getSelf(), new InternalCommand.IdleCheck());
    return true;
  }

  /**
   * Whether webhook notices the session handed over are still under way: it checks again once they
   * are taken or given up. Passivated before, its snapshot would hide them from the replay of its
   * next recovery, which no crash would start (a passivated session is not remembered).
   */
  private boolean handingOver() {
    CompletionStage<Void> stage = handOffs.get();
    if (stage == LifecycleFeed.SETTLED) {
      return false; // nothing was handed over (no endpoint): no wait, no allocation
    }
    CompletableFuture<Void> pending = stage.toCompletableFuture();
    long now = clock.millis();
    if (pending.isDone()) {
      holdingSince = 0;
      return false;
    } else if (holdingSince == 0) {
      holdingSince = now;
    } else if (now - holdingSince >= settings.handoffHold().toMillis()) {
      ctx.getLog()
          .warn(
              "Session {} passivates with webhook hand-offs still under way after {}: its tenant's"
                  + " outbox does not answer",
              sessionId,
              settings.handoffHold());
      holdingSince = 0;
      return false;
    }
    if (pending != awaited) {
      awaited = pending;
      ctx.pipeToSelf(pending, (x, failure) -> new InternalCommand.IdleCheck());
    }
    // Looks again by the end of the hold, should the hand-offs take longer.
    ctx.scheduleOnce(settings.handoffHold(), ctx.getSelf(), new InternalCommand.IdleCheck());
    return true;
  }

  /** Stops the session through its shard (a no-op outside sharding). */
  void stop() {
    if (shard != null) {
      if (TRACE.isDebugEnabled()) {
        TRACE.debug("Session {} passivates", sessionId);
      }
      shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    }
  }

  private boolean may(SessionState s, boolean followed) {
    return shard != null && !followed && !s.workInFlight();
  }

  /**
   * Runs once the snapshot at {@code seq} was written or failed. Pekko deletes old snapshots only
   * after those of its schedule (every snapshot-every events), so a passivation snapshot deletes
   * the one an earlier passivation left since the last scheduled one; the session stops after that.
   */
  void markerJournaled(long seq) {
    long previous = beforeMarker;
    saving(seq);
    long scheduled = seq - seq % settings.snapshotEvery();
    if (previous <= scheduled) {
      ctx.getSelf().tell(new InternalCommand.ReadyToPassivate(seq));
      return;
    }
    CompletionStage<Done> pruned =
        JournalEraser.deleteSnapshots(ctx, persistenceId, scheduled + 1, seq - 1)
            .toCompletableFuture()
            .orTimeout(settings.askTimeout().toMillis(), TimeUnit.MILLISECONDS);
    ctx.pipeToSelf(
        pruned,
        (done, failure) -> {
          if (failure != null) {
            ctx.getLog()
                .warn(
                    "Deleting older snapshots of session {} failed; the next ones delete them",
                    sessionId,
                    failure);
          }
          return new InternalCommand.ReadyToPassivate(seq);
        });
  }

  /**
   * Pekko saves a snapshot after a batch of events that reaches a multiple of snapshot-every,
   * before the batch's side effects run.
   */
  void journaled(long last, int count) {
    long every = settings.snapshotEvery();
    if (last / every > (last - count) / every) {
      saving(last);
    }
  }

  private void saving(long seq) {
    if (failedSeq == seq) {
      failedSeq = 0;
      return;
    }
    beforeSave = snapshotSeq;
    snapshotSeq = seq;
  }

  /**
   * The snapshot at {@code seq} was not saved (storage trouble, or a state too large to store): it
   * does not count, and says so.
   */
  void snapshotFailed(long seq, Throwable failure) {
    ctx.getLog()
        .warn(
            "The snapshot of session {} at event {} was not saved ({}); recovery replays the events"
                + " after the previous one",
            sessionId,
            seq,
            failure.toString());
    if (snapshotSeq == seq) {
      snapshotSeq = beforeSave;
    } else {
      failedSeq = seq;
    }
  }

  /** {@link #SNAPSHOTS}, noting where the snapshot recovery starts from stands. */
  SnapshotAdapter<SessionState> adapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(SessionState state) {
        return SNAPSHOTS.toJournal(state);
      }

      @Override
      public SessionState fromJournal(Object stored) {
        SessionState loaded = SNAPSHOTS.fromJournal(stored);
        snapshotSeq = loaded.lastSeq();
        return loaded;
      }
    };
  }
}
