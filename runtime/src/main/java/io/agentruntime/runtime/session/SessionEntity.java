package io.agentruntime.runtime.session;

import io.agentruntime.runtime.session.InternalCommand.*;
import io.agentruntime.runtime.session.SessionCommand.*;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.SnapshotFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.stream.Materializer;

/**
 * One agent session: a sharded, event-sourced entity and the single writer of its journal. Its
 * entity id is {@code tenant:sessionId}, so ids chosen by clients never collide across tenants. A
 * shell: it routes commands by the session's phase, takes its decisions from {@link TurnMachine}
 * and {@link SessionRules}, persists them, and leaves the rest to its actor-side helpers.
 */
public final class SessionEntity
    extends EventSourcedBehaviorWithEnforcedReplies<SessionCommand, SessionEvent, SessionState> {

  public static final EntityTypeKey<SessionCommand> TYPE_KEY =
      EntityTypeKey.create(SessionCommand.class, "Session");

  /**
   * @param shard the shard hosting the entity, to passivate through when idle (null outside
   *     sharding, e.g. in tests)
   */
  public static Behavior<SessionCommand> create(
      String entityId, SessionRuntime runtime, ActorRef<ClusterSharding.ShardCommand> shard) {
    return create(entityId, runtime, shard, null);
  }

  /**
   * @param node this node's cluster address as {@code host:port}: every reply is then wrapped in
   *     {@link SessionReply.Hosted} naming it, so a client learns where its session lives (null:
   *     plain replies)
   */
  public static Behavior<SessionCommand> create(
      String entityId,
      SessionRuntime runtime,
      ActorRef<ClusterSharding.ShardCommand> shard,
      String node) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new SessionEntity(ctx, timers, entityId, runtime, shard, node)));
  }

  public static String entityId(String tenant, String sessionId) {
    return tenant + ':' + sessionId;
  }

  private final ActorContext<SessionCommand> ctx;
  private final String entityId;
  private final String tenant;
  private final String sessionId;
  private final SessionRuntime runtime;
  private final SessionSettings settings;
  private final Clock clock;
  private final TurnMachine machine;
  private final SessionRules rules;
  private final TurnDriver driver;
  private final SessionAudience audience = new SessionAudience();
  private final DeferredReplies replies;
  private final Passivation passivation;
  private final DirectoryListing listing;
  private final Erasure erasure;
  private final EntityMetrics metrics;
  private final SessionReads reads;
  private final TurnInputs inputs;
  private final TurnAskers askers;
  private final ApprovalDecisions approvals;
  private final HandingOff handingOff;
  private final SessionChores chores;
  private final LifecycleAnnouncer lifecycle;
  private final RestartHints hints;

  /** While an {@link Expiring} command is handled, when its asker gives up. */
  private long askerGivesUpAt = Long.MAX_VALUE;

  private SessionEntity(
      ActorContext<SessionCommand> ctx,
      TimerScheduler<SessionCommand> timers,
      String entityId,
      SessionRuntime runtime,
      ActorRef<ClusterSharding.ShardCommand> shard,
      String node) {
    super(
        PersistenceId.of(TYPE_KEY.name(), entityId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    int split = entityId.lastIndexOf(':');
    this.ctx = ctx;
    this.entityId = entityId;
    this.tenant = entityId.substring(0, split);
    this.sessionId = entityId.substring(split + 1);
    this.runtime = runtime;
    this.settings = runtime.settings();
    this.clock = runtime.clock();
    this.machine = new TurnMachine(settings, runtime.turns());
    this.rules =
        new SessionRules(
            settings, machine, () -> runtime.models().names(), runtime.tools()::refusal);
    this.driver = new TurnDriver(ctx, timers, runtime, entityId, tenant, audience::hasFollowers);
    this.reads =
        new SessionReads(
            sessionId,
            node,
            new ReplySizes(ctx.getSystem(), settings.replyPageSize()),
            Materializer.matFromSystem(ctx.getSystem()));
    this.replies = new DeferredReplies(timers, reads::hosted);
    String persistenceId = persistenceId().id();
    this.lifecycle =
        new LifecycleAnnouncer(
            runtime.lifecycle(), clock, tenant, entityId, sessionId, settings.recoveryNotices());
    this.passivation =
        new Passivation(ctx, shard, settings, persistenceId, sessionId, clock, lifecycle::handOffs);
    this.listing =
        new DirectoryListing(
            ctx, timers, runtime.directory(), settings.statusListingDelay(), tenant, sessionId);
    this.erasure =
        new Erasure(
            ctx, runtime.directory(), settings.askTimeout(), persistenceId, tenant, sessionId);
    this.metrics = new EntityMetrics(runtime.metrics(), tenant);
    TenantCeilings ceilings = runtime.ceilings();
    this.inputs = new TurnInputs(ctx, ceilings, tenant, machine, rules, driver, clock);
    this.askers = new TurnAskers(settings, machine, rules, replies, clock);
    this.approvals = new ApprovalDecisions(ctx, ceilings, tenant, machine, clock);
    this.handingOff = new HandingOff(ctx, timers, driver, settings, sessionId);
    this.chores = new SessionChores(audience, replies, passivation, listing, erasure);
    this.hints = RestartHints.get(ctx.getSystem());
    metrics.started();
  }

  @Override
  public SessionState emptyState() {
    return SessionState.empty();
  }

  /**
   * One method rather than Pekko's handler builder: the builder keeps its cases and their lambdas
   * (about 3 KB) in every live entity, and most sessions are idle (decision 0011).
   */
  @Override
  public CommandHandlerWithReply<SessionCommand, SessionEvent, SessionState> commandHandler() {
    return this::onCommand;
  }

  private ReplyEffect<SessionEvent, SessionState> onCommand(SessionState s, SessionCommand cmd) {
    if (cmd instanceof InternalCommand c) {
      return onInternal(s, c);
    } else if (cmd instanceof Expiring c) {
      if (clock.millis() <= c.notAfterMillis()) {
        askerGivesUpAt = c.notAfterMillis();
        try {
          return onCommand(s, c.command());
        } finally {
          askerGivesUpAt = Long.MAX_VALUE;
        }
      }
      // Its asker gave up, and told its client that nothing was accepted: dropped unanswered.
      ctx.getLog()
          .info("Dropped a {} its asker gave up on", c.command().getClass().getSimpleName());
      return Effect().noReply();
    } else if (cmd instanceof Unsubscribe c) {
      audience.unfollow(c.follower()); // nobody waits for an answer
      return Effect().noReply();
    } else if (cmd instanceof Wake c) {
      if (s.exists()) {
        passivation.keepAwake(c.untilMillis()); // recovered by now: the run finds it awake
      }
      return Effect().noReply();
    }
    Asked c = (Asked) cmd;
    return switch (s.phase()) {
      case NEW -> c instanceof CreateSession create ? onCreate(s, create) : reject(c, missing(s));
      case ERASED ->
          c instanceof CreateSession create
              ? onCreate(s, create)
              : c instanceof EraseSession && c.caller().operator()
                  ? eraseAgain(s, c) // the deletion failed, say: the tombstone stays
                  : reject(c, missing(s));
      case OPEN, CLOSED ->
          c instanceof CreateSession create
              ? onCreate(s, create)
              : c.caller().maySee(s.owner()) ? onAsked(s, c) : reject(c, missing(s));
    };
  }

  /**
   * A command of a caller who may see this existing session. A keyed write ({@link Keyed}) seen
   * before is answered here; a new one is decided as its command, and its key journaled with it.
   */
  private ReplyEffect<SessionEvent, SessionState> onAsked(SessionState s, Asked asked) {
    Optional<SessionReply> seen = reads.seenBefore(s, asked);
    if (seen.isPresent()) {
      return answer(asked, seen.get());
    }
    Asked cmd = asked instanceof Keyed k ? k.command() : asked;
    Caller by = cmd.caller();
    Instant now = clock.instant();
    if (SessionReads.covers(cmd)) {
      return answer(cmd, reads.answer(s, cmd));
    } else if (cmd instanceof SendUserMessage c) {
      return onUserMessage(s, c);
    } else if (cmd instanceof AwaitTurn c) {
      return askers.await(s, c).map(reply -> answer(c, reply)).orElseGet(this::owed);
    } else if (cmd instanceof Subscribe c) {
      if (audience.follow(c.follower())) {
        ctx.watch(c.follower());
      }
      return answer(cmd, new SessionReply.Subscribed(s.lastSeq()));
    } else if (cmd instanceof Glance c) {
      if (c.follower() != null && audience.follow(c.follower())) {
        ctx.watch(c.follower());
      }
      return answer(cmd, new SessionReply.Glanced(SessionView.glance(sessionId, s)));
    } else if (cmd instanceof CloseSession) {
      return announced(s, cmd, rules.close(s, by, "the session was closed", now), reads::current);
    } else if (cmd instanceof TerminateSession) {
      return announced(s, cmd, rules.terminate(s, by, now), reads::current);
    } else if (cmd instanceof EraseSession) {
      Decision d = rules.erase(s, by, now);
      return d.refused()
          ? reject(cmd, d.refusal())
          : owed(
              persist(d.events())
                  .thenRun(next -> erasure.start(next, cmd.replyTo(), replies, sideWorkWait())));
    } else if (SessionEdits.covers(cmd)) {
      return decided(s, asked, SessionEdits.decide(rules, s, cmd, now), reads::current);
    } else if (cmd instanceof CancelTurn c && c.turnId() == null) {
      String active = s.activeTurn().map(Turn::id).orElse(null);
      Decision d = machine.cancelActive(s, by.user(), now);
      return decided(
          s,
          asked,
          d,
          next ->
              new SessionReply.TurnFound(active == null ? null : next.turn(active).orElseThrow()));
    } else if (cmd instanceof CancelTurn c) {
      Decision d = machine.cancel(s, c.turnId(), by.user(), now);
      return decided(s, asked, d, next -> SessionReads.found(next.turn(c.turnId()).orElseThrow()));
    } else if (cmd instanceof SubmitToolResult c) {
      Decision d =
          machine.clientResult(s, c.turnId(), c.callId(), c.success(), c.output(), c.error(), now);
      return decided(s, asked, d, next -> SessionReads.found(next.turn(c.turnId()).orElseThrow()));
    } else if (cmd instanceof DecideApproval c) {
      return approvals
          .ceiling(asked, c, askerGivesUpAt)
          .map(ceiling -> decideApproval(s, asked, c, ceiling))
          .orElseGet(this::owed);
    }
    throw new IllegalArgumentException("a command the session does not know: " + cmd);
  }

  /** A human's decision {@code c}, asked as {@code asked}, under the tenant's {@code ceiling}. */
  private ReplyEffect<SessionEvent, SessionState> decideApproval(
      SessionState s, Asked asked, DecideApproval c, TenantPolicy ceiling) {
    Decision d = approvals.decide(s, c, ceiling);
    return decided(s, asked, d, next -> ApprovalDecisions.decided(next, c));
  }

  /**
   * The ceiling was read for a decision: it is taken now, unless a keyed decision of the same key
   * landed meanwhile (then it answers as that one, or is refused as a reuse).
   */
  private ReplyEffect<SessionEvent, SessionState> onCeilingRead(SessionState s, CeilingRead c) {
    Asked asked = c.decision();
    if (approvals.givenUp(c)) {
      return Effect().noReply();
    } else if (!s.exists() || !asked.caller().maySee(s.owner())) {
      return reject(asked, missing(s)); // erased while the ceiling was read
    }
    Optional<SessionReply> seen = reads.seenBefore(s, asked);
    return seen.isPresent()
        ? answer(asked, seen.get())
        : decideApproval(s, asked, ApprovalDecisions.unkeyed(asked), c.ceiling());
  }

  private ReplyEffect<SessionEvent, SessionState> onCreate(SessionState s, CreateSession c) {
    Decision d =
        rules.create(s, tenant, sessionId, c.caller(), c.spec(), c.mode(), clock.instant());
    return announced(s, c, d, reads::created);
  }

  private ReplyEffect<SessionEvent, SessionState> onUserMessage(SessionState s, SendUserMessage c) {
    TurnAskers.Taken taken = askers.take(s, c);
    if (taken.decision().refused()) {
      return reject(c, taken.decision().refusal());
    } else if (taken.turnId() == null) {
      return owed(); // an earlier turn of the same key answers it
    }
    if (SessionEvent.UserMessageAccepted.SCHEDULE.equals(c.source())) {
      driver.fired(taken.turnId()); // its work comes after the node's firings (decision 0064)
    }
    return owed(
        persist(taken.decision().events())
            .thenRun(next -> askers.accepted(next, taken.turnId(), c)));
  }

  private ReplyEffect<SessionEvent, SessionState> eraseAgain(SessionState erased, Asked c) {
    erasure.start(erased, c.replyTo(), replies, sideWorkWait());
    return owed();
  }

  /**
   * How long an answer waits for side work after its event was journaled (the directory's line, an
   * erase's deletion): a quarter of the ask timeout, the margin its asker keeps for the write
   * itself, so that the asker hears the answer rather than a timeout.
   */
  private Duration sideWorkWait() {
    return settings.askTimeout().dividedBy(4);
  }

  private ReplyEffect<SessionEvent, SessionState> onInternal(SessionState s, InternalCommand cmd) {
    if (TurnInputs.covers(cmd)) {
      Optional<Decision> d = inputs.decide(s, cmd);
      return d.isPresent() ? act(s, d.get()) : Effect().noReply();
    } else if (cmd instanceof CeilingRead c) {
      return onCeilingRead(s, c);
    } else if (cmd instanceof HandOff) {
      return handingOff.mayStop() ? Effect().stop().thenNoReply() : Effect().noReply();
    } else if (cmd instanceof HandOffTimedOut) {
      handingOff.timedOut();
      return Effect().stop().thenNoReply();
    }
    Optional<SessionEvent> marker = chores.handle(s, cmd);
    if (marker.isPresent()) {
      return Effect()
          .persist(marker.get())
          .thenRun(next -> passivation.markerJournaled(next.lastSeq()))
          .thenNoReply();
    }
    return Effect().noReply(); // internal: nobody waits for an answer
  }

  /** Persists what was decided (if anything), then acts on where the work stands. */
  private ReplyEffect<SessionEvent, SessionState> act(SessionState s, Decision d) {
    if (d.events().isEmpty()) {
      driver.reconcile(s);
      return Effect().noReply();
    }
    return persist(d.events()).thenNoReply();
  }

  /**
   * Every persist of the session's work goes through here (the passivation marker alone does not):
   * followers learn the events, then the driver acts.
   */
  private EffectBuilder<SessionEvent, SessionState> persist(List<SessionEvent> events) {
    long asked = System.nanoTime();
    return Effect()
        .persist(events)
        .thenRun(
            next -> {
              passivation.journaled(next.lastSeq(), events.size());
              metrics.journaled(events, asked, next.pendingApprovals().size());
              listing.journaled(next, events);
              lifecycle.journaled(next, events);
              audience.journaled(next, events);
              replies.journaled(next);
              driver.reconcile(next);
            });
  }

  /**
   * Persists a decision (with the idempotency key of a {@link Keyed} command) and answers {@code
   * answer} of the state it led to, or its refusal.
   */
  private ReplyEffect<SessionEvent, SessionState> decided(
      SessionState s, Asked c, Decision decision, Function<SessionState, SessionReply> answer) {
    Decision d =
        c instanceof Keyed k
            ? RequestKeys.recorded(decision, k.key(), k.fingerprint(), clock.instant())
            : decision;
    if (d.events().isEmpty()) {
      return answer(c, d.refused() ? SessionReads.rejected(d.refusal()) : answer.apply(s));
    }
    return persist(d.events())
        .thenReply(
            c.replyTo(),
            next ->
                reads.hosted(
                    d.refused() ? SessionReads.rejected(d.refusal()) : answer.apply(next)));
  }

  /** As {@link #decided}, for a change the directory must know before the asker hears of it. */
  private ReplyEffect<SessionEvent, SessionState> announced(
      SessionState s, Asked c, Decision d, Function<SessionState, SessionReply> answer) {
    if (d.events().isEmpty()) {
      return answer(c, d.refused() ? SessionReads.rejected(d.refusal()) : reads.current(s));
    }
    return owed(
        persist(d.events())
            .thenRun(
                next -> {
                  SessionReply reply = answer.apply(next);
                  listing.announce(next, replies.owe(c.replyTo(), sideWorkWait(), x -> reply));
                }));
  }

  private ReplyEffect<SessionEvent, SessionState> answer(Asked c, SessionReply reply) {
    return Effect().reply(c.replyTo(), reads.hosted(reply));
  }

  private ReplyEffect<SessionEvent, SessionState> reject(Asked c, Problem problem) {
    return answer(c, SessionReads.rejected(problem));
  }

  /**
   * The one way an asked command ends without an answer now: it was registered with {@link
   * DeferredReplies}, which pays it by a deadline.
   */
  private ReplyEffect<SessionEvent, SessionState> owed() {
    return Effect().noReply();
  }

  private ReplyEffect<SessionEvent, SessionState> owed(
      EffectBuilder<SessionEvent, SessionState> persisted) {
    return persisted.thenNoReply();
  }

  private Problem missing(SessionState s) {
    return SessionRules.missing(s, sessionId);
  }

  @Override
  public EventHandler<SessionState, SessionEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(this::fold);
  }

  /** Folds {@code e}; during a recovery the announcer notes what it announced (decision 0027). */
  private SessionState fold(SessionState s, SessionEvent e) {
    SessionState next = s.apply(e);
    lifecycle.folded(s, e, next);
    hints.folded(entityId, s, next);
    return next;
  }

  @Override
  public SignalHandler<SessionState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            s -> {
              passivation.recovered();
              metrics.approvals(s.pendingApprovals().size());
              lifecycle.recovered(s); // offers what the replay derived, even of an erased one: none
              if (s.exists()) {
                listing.recovered(s);
              } else if (s.erased()) {
                // Heals an erase whose deletion was cut off; nobody waits for the answer.
                erasure.start(s, DeferredReplies.NOBODY);
              }
              // Commands stashed during recovery run first; the driver holds back calls cut off by
              // a crash until ResumeWork has decided whether they may run again. After a restart in
              // place (a failed write) the timers are armed again (decision 0017).
              replies.recovered();
              handingOff.recovered();
              driver.recovering(s);
              ctx.getSelf().tell(new ResumeWork());
            })
        .onSignal(Terminated.class, (s, t) -> audience.unfollow(t.getRef()))
        .onSignal(
            SnapshotFailed.class,
            (s, f) -> passivation.snapshotFailed(f.metadata().sequenceNr(), f.getFailure()))
        // Passivated, closed or moved: the MCP client sessions held for it are closed too.
        .onSignal(
            PostStop.instance(),
            s -> {
              metrics.stopped();
              hints.stopped(entityId);
              runtime.tools().release(entityId);
            })
        .build();
  }

  @Override
  public SnapshotAdapter<SessionState> snapshotAdapter() {
    return passivation.adapter();
  }

  /** A snapshot after each passivation marker, besides those every snapshot-every events. */
  @Override
  public boolean shouldSnapshot(SessionState state, SessionEvent event, long sequenceNr) {
    return event instanceof SessionEvent.SessionPassivating;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.keepSnapshots());
  }
}
