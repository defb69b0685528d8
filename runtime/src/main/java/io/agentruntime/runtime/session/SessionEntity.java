package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.session.InternalCommand.*;
import io.agentruntime.runtime.session.SessionCommand.*;
import io.agentruntime.runtime.session.SessionReply.Rejected;
import io.agentruntime.runtime.tools.ToolResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;

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
  private final TimerScheduler<SessionCommand> timers;
  private final String entityId;
  private final String tenant;
  private final String sessionId;
  private final SessionRuntime runtime;
  private final SessionSettings settings;
  private final Clock clock;
  private final String node;
  private final TurnMachine machine;
  private final SessionRules rules;
  private final TurnDriver driver;
  private final SessionAudience audience = new SessionAudience();
  private final DeferredReplies replies;
  private final Passivation passivation;
  private final DirectoryListing listing;
  private final Erasure erasure;
  private final EntityMetrics metrics;
  private final ReplySizes sizes;
  private final Materializer materializer;

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
    this.timers = timers;
    this.entityId = entityId;
    this.tenant = entityId.substring(0, split);
    this.sessionId = entityId.substring(split + 1);
    this.runtime = runtime;
    this.settings = runtime.settings();
    this.clock = runtime.clock();
    this.node = node;
    this.machine = new TurnMachine(settings, runtime.turns());
    this.rules =
        new SessionRules(
            settings, machine, () -> runtime.models().names(), runtime.tools()::refusal);
    this.driver = new TurnDriver(ctx, timers, runtime, entityId, tenant);
    this.replies = new DeferredReplies(timers, this::hosted);
    String persistenceId = persistenceId().id();
    this.passivation = new Passivation(ctx, shard, settings, persistenceId, sessionId, clock);
    this.listing =
        new DirectoryListing(
            ctx, timers, runtime.directory(), settings.statusListingDelay(), tenant, sessionId);
    this.erasure =
        new Erasure(
            ctx, runtime.directory(), settings.askTimeout(), persistenceId, tenant, sessionId);
    this.metrics = new EntityMetrics(runtime.metrics());
    this.sizes = new ReplySizes(ctx.getSystem(), settings.replyPageSize());
    this.materializer = Materializer.matFromSystem(ctx.getSystem());
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
    if (asked instanceof Keyed k) {
      switch (RequestKeys.use(s, k.key(), k.fingerprint())) {
        case REUSED:
          return reject(k, RequestKeys.reused());
        case REPEAT:
          return answer(k, repeated(s, k.command()));
        case NEW:
          break;
      }
    }
    Asked cmd = asked instanceof Keyed k ? k.command() : asked;
    Caller by = cmd.caller();
    Instant now = clock.instant();
    if (cmd instanceof SendUserMessage c) {
      return onUserMessage(s, c);
    } else if (cmd instanceof AwaitTurn c) {
      Optional<Turn> turn = s.turn(c.turnId());
      if (turn.isEmpty()) {
        return reject(c, TurnMachine.turnNotFound(c.turnId()));
      }
      if (turn.get().settled()) {
        return answer(c, found(turn.get()));
      }
      if (replies.turnWaiters() >= settings.maxWaiters()) {
        return reject(c, tooManyWaiters());
      }
      Duration within = settings.longestWait();
      if (c.answerByMillis() > 0) {
        Duration left = Duration.ofMillis(c.answerByMillis() - clock.millis());
        within = left.compareTo(within) < 0 ? left : within;
      }
      replies.oweOnceSettled(turn.get(), c.replyTo(), within, this::found);
      return owed();
    } else if (cmd instanceof GetSession) {
      return answer(cmd, viewStream(s));
    } else if (cmd instanceof GetMemory c) {
      JsonNode value = c.key() == null ? null : s.memory().get(c.key());
      return answer(
          cmd,
          value == null
              ? rejected(SessionRules.memoryKeyNotFound(c.key()))
              : new SessionReply.MemoryValue(c.key(), value));
    } else if (cmd instanceof GetTurn c) {
      return answer(
          cmd,
          s.turn(c.turnId())
              .map(this::found)
              .orElse(rejected(TurnMachine.turnNotFound(c.turnId()))));
    } else if (cmd instanceof ListTurns c) {
      return answer(
          cmd,
          TurnList.page(
              s.turns(),
              c.afterTurnId(),
              c.limit(),
              t -> sizes.of(new SessionReply.TurnFound(t)),
              sizes.budget()));
    } else if (cmd instanceof GetTranscript c) {
      return answer(
          cmd,
          Transcript.page(
              s.transcript(),
              c.after(),
              Math.min(c.limit(), GetTranscript.MAX_LIMIT),
              e -> sizes.of(new SessionReply.TranscriptFound(List.of(e))),
              sizes.budget()));
    } else if (cmd instanceof ListApprovals) {
      return answer(cmd, new SessionReply.ApprovalList(s.pendingApprovals()));
    } else if (cmd instanceof Subscribe c) {
      if (audience.follow(c.follower())) {
        ctx.watch(c.follower());
      }
      return answer(cmd, new SessionReply.Subscribed(s.lastSeq()));
    } else if (cmd instanceof CloseSession) {
      return announced(s, cmd, rules.close(s, by, "the session was closed", now), this::current);
    } else if (cmd instanceof TerminateSession) {
      return announced(s, cmd, rules.terminate(s, by, now), this::current);
    } else if (cmd instanceof SuspendSession c) {
      return decided(s, asked, rules.suspend(s, by, c.reason(), now), this::current);
    } else if (cmd instanceof ResumeSession) {
      return decided(s, asked, rules.resume(s, by, now), this::current);
    } else if (cmd instanceof EraseSession) {
      Decision d = rules.erase(s, by, now);
      return d.refused()
          ? reject(cmd, d.refusal())
          : owed(persist(d.events()).thenRun(next -> startErasure(next, cmd)));
    } else if (cmd instanceof WriteMemory c) {
      return decided(s, asked, rules.writeMemory(s, by, c.key(), c.value(), now), this::current);
    } else if (cmd instanceof DeleteMemory c) {
      return decided(s, asked, rules.deleteMemory(s, by, c.key(), now), this::current);
    } else if (cmd instanceof ConnectTool c) {
      return decided(s, asked, rules.connectTool(s, by, c.tool(), now), this::current);
    } else if (cmd instanceof DisconnectTool c) {
      return decided(s, asked, rules.disconnectTool(s, by, c.name(), now), this::current);
    } else if (cmd instanceof ChangePermissions c) {
      return decided(s, asked, rules.changePermissions(s, by, c.permissions(), now), this::current);
    } else if (cmd instanceof CancelTurn c) {
      Decision d = machine.cancel(s, c.turnId(), by.user(), now);
      return decided(s, asked, d, next -> found(next.turn(c.turnId()).orElseThrow()));
    } else if (cmd instanceof DecideApproval c) {
      if (!"approve".equals(c.decision()) && !"retry".equals(c.decision())) {
        return decideApproval(s, asked, c, TenantPolicy.NONE); // runs no call: no ceiling to check
      }
      // A decision that runs the call checks the tenant's ceiling, read first (decision 0018).
      CompletionStage<TenantPolicy> ceiling = runtime.ceilings().ceiling(tenant);
      TenantPolicy known = readAlready(ceiling);
      if (known != null) {
        return decideApproval(s, asked, c, known);
      }
      long notAfter = askerGivesUpAt;
      ctx.pipeToSelf(ceiling, (read, failure) -> new CeilingRead(asked, read, notAfter));
      return owed();
    }
    throw new IllegalArgumentException("a command the session does not know: " + cmd);
  }

  /** The ceiling, if the read has completed already (a node's fresh cache): no hop needed. */
  private static TenantPolicy readAlready(CompletionStage<TenantPolicy> read) {
    CompletableFuture<TenantPolicy> f = read.toCompletableFuture();
    return f.isDone() && !f.isCompletedExceptionally() ? f.getNow(null) : null;
  }

  /**
   * A human's decision {@code c}, asked as {@code asked} (itself or {@link Keyed}), under the
   * tenant's {@code ceiling} (null: it could not be read).
   */
  private ReplyEffect<SessionEvent, SessionState> decideApproval(
      SessionState s, Asked asked, DecideApproval c, TenantPolicy ceiling) {
    Decision d =
        machine.humanDecision(
            s,
            c.caller(),
            c.approvalId(),
            c.decision(),
            c.comment(),
            c.result(),
            ceiling,
            clock.instant());
    return decided(
        s,
        asked,
        d,
        next -> new SessionReply.ApprovalDecided(next.approval(c.approvalId()).orElseThrow()));
  }

  /**
   * The ceiling was read for a decision: it is taken now, unless a keyed decision of the same key
   * landed meanwhile (then it answers as that one, or is refused as a reuse).
   */
  private ReplyEffect<SessionEvent, SessionState> onCeilingRead(SessionState s, CeilingRead c) {
    Asked asked = c.decision();
    if (!s.exists() || !asked.caller().maySee(s.owner())) {
      return reject(asked, missing(s)); // erased while the ceiling was read
    }
    if (asked instanceof Keyed k) {
      switch (RequestKeys.use(s, k.key(), k.fingerprint())) {
        case REUSED:
          return reject(k, RequestKeys.reused());
        case REPEAT:
          return answer(k, repeated(s, k.command()));
        case NEW:
          break;
      }
    }
    DecideApproval decision = (DecideApproval) (asked instanceof Keyed k ? k.command() : asked);
    return decideApproval(s, asked, decision, c.ceiling());
  }

  /** The answer to a keyed write repeated: the first outcome, of the session as it is now. */
  private SessionReply repeated(SessionState s, Asked cmd) {
    if (cmd instanceof CancelTurn c) {
      return s.turn(c.turnId())
          .map(this::found)
          .orElse(rejected(TurnMachine.turnNotFound(c.turnId())));
    } else if (cmd instanceof DecideApproval c) {
      return s.approval(c.approvalId())
          .<SessionReply>map(SessionReply.ApprovalDecided::new)
          .orElseGet(() -> current(s));
    }
    return current(s);
  }

  private ReplyEffect<SessionEvent, SessionState> onCreate(SessionState s, CreateSession c) {
    return announced(
        s,
        c,
        rules.create(s, tenant, sessionId, c.caller(), c.spec(), c.mode(), clock.instant()),
        next -> new SessionReply.Created(SessionSummary.of(sessionId, next)));
  }

  private ReplyEffect<SessionEvent, SessionState> onUserMessage(SessionState s, SendUserMessage c) {
    Optional<Decision> closed = SessionRules.refuseIfClosed(s);
    if (closed.isPresent()) {
      return reject(c, closed.get().refusal());
    }
    if (RequestKeys.reusedByMessage(s, c.idempotencyKey(), c.content())) {
      return reject(c, RequestKeys.reused());
    }
    Optional<Turn> earlier = TurnMachine.earlier(s, c.idempotencyKey(), c.turnId());
    if (earlier.isPresent()) {
      answerOnceSettled(earlier.get(), true, c);
      return owed();
    }
    Optional<Problem> tooLarge =
        rules.tooLarge(s, SessionSize.text(c.content()), "the message", "content");
    if (tooLarge.isPresent()) {
      return reject(c, tooLarge.get());
    }
    String turnId = c.turnId() != null ? c.turnId() : Turn.newId();
    Decision d =
        machine.userMessage(
            s,
            c.caller().user(),
            c.content(),
            c.onBusy(),
            c.idempotencyKey(),
            turnId,
            clock.instant());
    return d.refused()
        ? reject(c, d.refusal())
        : owed(
            persist(d.events())
                .thenRun(next -> answerOnceSettled(next.turn(turnId).orElseThrow(), false, c)));
  }

  /**
   * Answers a message with its turn now, or, when its asker waits for the turn to settle, once it
   * has settled, by the asker's deadline at the latest (the asker gives up later than that, so that
   * it hears the turn as it stands rather than a timeout).
   */
  private void answerOnceSettled(Turn turn, boolean duplicate, SendUserMessage c) {
    // With too many askers waiting already, the message is answered now: accepted, still running.
    Duration left =
        replies.turnWaiters() >= settings.maxWaiters()
            ? Duration.ZERO
            : Duration.ofMillis(c.answerByMillis() - clock.millis());
    replies.oweOnceSettled(
        turn, c.replyTo(), left, t -> new SessionReply.TurnAccepted(t, duplicate));
  }

  private ReplyEffect<SessionEvent, SessionState> eraseAgain(SessionState erased, Asked c) {
    startErasure(erased, c);
    return owed();
  }

  /**
   * Deletes the erased session's storage. The operator hears {@code Erased} once it is gone, or
   * once {@link #sideWorkWait()} has passed, whichever comes first: the tombstone is journaled, so
   * the id is gone for good, and a deletion still running goes on (decision 0034). A deletion that
   * failed before is {@code erase_incomplete}.
   */
  private void startErasure(SessionState erased, Asked c) {
    erasure.start(
        erased, replies.owe(c.replyTo(), sideWorkWait(), x -> new SessionReply.Erased(sessionId)));
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
    Instant now = clock.instant();
    if (cmd instanceof ModelAnswered c
        && c.ceiling() == null
        && !s.suspended()
        && !driver.handingOff()) {
      // The calls it asks for are decided under the tenant's ceiling as of now: read it first. The
      // step stays in flight meanwhile, so that the model is not asked again.
      CompletionStage<TenantPolicy> ceiling = runtime.ceilings().ceiling(tenant);
      TenantPolicy known = readAlready(ceiling);
      if (known != null) {
        return onInternal(s, new ModelAnswered(c.turnId(), c.step(), c.reply(), known));
      }
      ctx.pipeToSelf(
          ceiling,
          (read, failure) ->
              new ModelAnswered(
                  c.turnId(), c.step(), c.reply(), read != null ? read : TenantPolicy.UNREADABLE));
      return Effect().noReply();
    } else if (cmd instanceof ModelAnswered c) {
      // While suspended or handed off a model's answer is dropped: the model is asked again at
      // resume or on the next node (a model call has no side effect), and no tool call it asks
      // for is journaled as started by a session that will not start it. A tool's result is
      // journaled: its side effect happened.
      driver.landed(TurnDriver.modelKey(c.turnId(), c.step()), c);
      if (s.suspended() || driver.handingOff()) {
        return Effect().noReply();
      }
      // A session that a turn took past max-session-size ends the turn rather than grow further.
      Optional<Problem> full = rules.full(s);
      return act(
          s,
          full.isPresent()
              ? machine.modelFailed(
                  s, c.turnId(), c.step(), full.get().code(), full.get().message(), now)
              : machine.modelReplied(s, c.turnId(), c.step(), c.reply(), c.ceiling(), now));
    } else if (cmd instanceof ModelFailed c) {
      driver.landed(TurnDriver.modelKey(c.turnId(), c.step()), c);
      return s.suspended() || driver.handingOff()
          ? Effect().noReply()
          : act(s, machine.modelFailed(s, c.turnId(), c.step(), c.code(), c.message(), now));
    } else if (cmd instanceof CeilingRead c) {
      if (clock.millis() > c.notAfterMillis()) {
        // As for Expiring: its asker gave up, and told its client that nothing was accepted.
        ctx.getLog().info("Dropped an approval decision its asker gave up on");
        return Effect().noReply();
      }
      return onCeilingRead(s, c);
    } else if (cmd instanceof ToolFinished c) {
      driver.landed(
          TurnDriver.toolKey(c.turnId(), c.toolCallId()),
          c,
          c.result() instanceof ToolResult.Unknown);
      return act(s, machine.toolFinished(s, c.turnId(), c.toolCallId(), c.result(), now));
    } else if (cmd instanceof RetryDue c) {
      driver.retryDue(c.key());
      driver.reconcile(s);
    } else if (cmd instanceof HandOff) {
      return onHandOff();
    } else if (cmd instanceof HandOffTimedOut) {
      ctx.getLog()
          .warn(
              "Session {} stops for its hand-off with tool calls still in flight after {}",
              sessionId,
              settings.handoffTimeout());
      return Effect().stop().thenNoReply();
    } else if (cmd instanceof TurnDeadlinePassed c) {
      return s.suspended()
          ? Effect().noReply()
          : act(s, machine.turnDeadlinePassed(s, c.turnId(), now));
    } else if (cmd instanceof ApprovalDeadlinePassed c) {
      return act(s, machine.approvalDeadlinePassed(s, c.approvalId(), now));
    } else if (cmd instanceof ResumeWork) {
      Decision d = machine.recover(s, driver.recovered(), now);
      driver.resume();
      return act(s, d);
    } else if (cmd instanceof PublishDelta c) {
      audience.delta(c.turnId(), c.text());
    } else if (cmd instanceof AnswerDue c) {
      replies.payDue(c.owed(), s);
    } else if (cmd instanceof DirectoryWritten c) {
      replies.payDue(c.owed(), s);
    } else if (cmd instanceof ErasureEnded c) {
      if (c.owed() != DeferredReplies.NOBODY && c.failure() == null) {
        passivation.stop();
      }
      replies.pay(c.owed(), erasure.ended(c));
    } else if (cmd instanceof ListStatus) {
      listing.write(s);
    } else if (cmd instanceof IdleCheck) {
      // Not through persist: the marker is bookkeeping that followers, the directory and the
      // driver do not see.
      Optional<SessionEvent> marker = passivation.idle(s, audience.hasFollowers());
      if (marker.isPresent()) {
        return Effect()
            .persist(marker.get())
            .thenRun(next -> passivation.markerJournaled(next.lastSeq()))
            .thenNoReply();
      }
    } else if (cmd instanceof ReadyToPassivate c) {
      passivation.ready(s, audience.hasFollowers(), c.seq());
    } else {
      throw new IllegalArgumentException("an internal command the session does not know: " + cmd);
    }
    return Effect().noReply(); // internal: nobody waits for an answer
  }

  /**
   * Sharding moves the session to another node (the node leaves, or shards are rebalanced): it
   * starts nothing new, lets the tool calls in flight land and journals their outcomes, then stops;
   * after {@code handoff-timeout} it stops anyway (decision 0017). The driver sends this again
   * after each write while calls are in flight.
   */
  private ReplyEffect<SessionEvent, SessionState> onHandOff() {
    if (!driver.handingOff()) {
      timers.startSingleTimer("hand-off", new HandOffTimedOut(), settings.handoffTimeout());
    }
    if (driver.handOff()) {
      return Effect().noReply(); // the calls in flight land first
    }
    return Effect().stop().thenNoReply();
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
      return answer(c, d.refused() ? rejected(d.refusal()) : answer.apply(s));
    }
    return persist(d.events())
        .thenReply(
            c.replyTo(), next -> hosted(d.refused() ? rejected(d.refusal()) : answer.apply(next)));
  }

  /** As {@link #decided}, for a change the directory must know before the asker hears of it. */
  private ReplyEffect<SessionEvent, SessionState> announced(
      SessionState s, Asked c, Decision d, Function<SessionState, SessionReply> answer) {
    if (d.events().isEmpty()) {
      return answer(c, d.refused() ? rejected(d.refusal()) : current(s));
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
    return Effect().reply(c.replyTo(), hosted(reply));
  }

  private ReplyEffect<SessionEvent, SessionState> reject(Asked c, Problem problem) {
    return answer(c, rejected(problem));
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

  private Problem tooManyWaiters() {
    return new Problem(
        Problem.Kind.LIMIT,
        "too_many_waiters",
        "already "
            + settings.maxWaiters()
            + " requests wait for turns of this session; retry later or without waitSeconds",
        "waitSeconds");
  }

  private static SessionReply rejected(Problem problem) {
    return new Rejected(problem);
  }

  private SessionReply found(Turn turn) {
    return new SessionReply.TurnFound(turn);
  }

  private SessionReply hosted(SessionReply reply) {
    return node == null ? reply : new SessionReply.Hosted(node, reply);
  }

  /** What a write answers: small, whatever the session holds (decision 0033). */
  private SessionReply current(SessionState s) {
    return new SessionReply.Current(SessionSummary.of(sessionId, s));
  }

  /**
   * The whole view, streamed in parts that each fit a message between nodes. The parts are cut as
   * the asker takes them, from this state (immutable), off the session's thread; an asker that
   * never takes them lets the stream end after the stream-ref subscription timeout.
   */
  private SessionReply viewStream(SessionState s) {
    Iterable<ViewPart> parts = ViewPart.of(SessionView.of(sessionId, s), sizes::of, sizes.budget());
    return new SessionReply.ViewStream(
        Source.from(parts).runWith(StreamRefs.sourceRef(), materializer));
  }

  @Override
  public EventHandler<SessionState, SessionEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(SessionState::apply);
  }

  @Override
  public SignalHandler<SessionState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            s -> {
              metrics.approvals(s.pendingApprovals().size());
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
              if (driver.handingOff()) {
                timers.startSingleTimer(
                    "hand-off", new HandOffTimedOut(), settings.handoffTimeout());
              }
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
