package io.agentruntime.runtime.session;

import io.agentruntime.runtime.directory.SessionDirectory;
import io.agentruntime.runtime.session.SessionCommand.ChangePermissions;
import io.agentruntime.runtime.session.SessionCommand.CloseSession;
import io.agentruntime.runtime.session.SessionCommand.ConnectTool;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.session.SessionCommand.CreateSession;
import io.agentruntime.runtime.session.SessionCommand.DeleteMemory;
import io.agentruntime.runtime.session.SessionCommand.DisconnectTool;
import io.agentruntime.runtime.session.SessionCommand.GetSession;
import io.agentruntime.runtime.session.SessionCommand.GetTranscript;
import io.agentruntime.runtime.session.SessionCommand.GetTurn;
import io.agentruntime.runtime.session.SessionCommand.ListTurns;
import io.agentruntime.runtime.session.SessionCommand.SendUserMessage;
import io.agentruntime.runtime.session.SessionCommand.WriteMemory;
import io.agentruntime.runtime.session.SessionEvent.SessionClosed;
import io.agentruntime.runtime.session.SessionEvent.SessionCreated;
import io.agentruntime.runtime.session.SessionReply.Rejected;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One agent session: a sharded, event-sourced entity and the single writer of its journal. Its
 * entity id is {@code tenant:sessionId}, so ids chosen by clients never collide across tenants.
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
  private final SessionValidation validation;
  private final SessionDirectory directory;
  private final Clock clock;
  private final TurnPlanner planner;
  private final TurnDriver driver;
  private final TurnProgress progress;
  private final String node;
  private final SessionAudience audience;
  private final DeferredReplies replies;
  private final Passivation passivation;
  private final DirectoryListing listing;
  private final Erasure erasure;
  private final EntityMetrics metrics;
  private final TimerScheduler<SessionCommand> timers;

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
    this.validation = new SessionValidation(settings);
    this.directory = runtime.directory();
    this.clock = runtime.clock();
    this.planner = new TurnPlanner(runtime);
    this.driver = new TurnDriver(ctx, timers, runtime, entityId);
    this.progress = new TurnProgress(planner, clock);
    this.node = node;
    this.audience = new SessionAudience();
    this.replies = new DeferredReplies(timers, this::hosted);
    String persistenceId = persistenceId().id();
    this.passivation =
        new Passivation(ctx, shard, settings, persistenceId, sessionId, runtime.clock());
    this.listing =
        new DirectoryListing(
            ctx, timers, directory, settings.statusListingDelay(), tenant, sessionId);
    this.erasure =
        new Erasure(ctx, directory, settings.askTimeout(), persistenceId, tenant, sessionId);
    this.metrics = new EntityMetrics(runtime.metrics());
    this.timers = timers;
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

  private ReplyEffect<SessionEvent, SessionState> onCommand(
      SessionState s, SessionCommand command) {
    if (command instanceof SessionCommand.Expiring c) {
      return onExpiring(s, c);
    } else if (command instanceof SendUserMessage c) {
      return onUserMessage(s, c);
    } else if (command instanceof InternalCommand.ModelAnswered c) {
      // While suspended a model's answer is dropped: the model is asked again at resume (a model
      // call has no side effect). A tool's result is journaled: its side effect happened.
      driver.landed(TurnDriver.modelKey(c.turnId(), c.step()));
      return s.suspended() ? Effect().noReply() : act(s, progress.modelAnswered(s, c));
    } else if (command instanceof InternalCommand.ToolFinished c) {
      driver.landed(TurnDriver.toolKey(c.turnId(), c.toolCallId()));
      return act(s, progress.toolFinished(s, c));
    } else if (command instanceof SessionCommand.AwaitTurn c) {
      return onAwaitTurn(s, c);
    } else if (command instanceof InternalCommand.AnswerDue c) {
      replies.payDue(c.owed(), s);
      return Effect().noReply();
    } else if (command instanceof GetSession c) {
      return read(s, c.caller(), c.replyTo(), this::current);
    } else if (command instanceof GetTurn c) {
      return read(s, c.caller(), c.replyTo(), x -> turn(x, c.turnId()));
    } else if (command instanceof CreateSession c) {
      return onCreate(s, c);
    } else if (command instanceof InternalCommand.DirectoryWritten c) {
      replies.payDue(c.owed(), s);
      return Effect().noReply();
    } else if (command instanceof ListTurns c) {
      return read(s, c.caller(), c.replyTo(), x -> turns(x, c));
    } else if (command instanceof GetTranscript c) {
      return read(
          s, c.caller(), c.replyTo(), x -> new SessionReply.TranscriptFound(x.transcript()));
    } else if (command instanceof CloseSession c) {
      return onClose(s, c);
    } else if (command instanceof SessionCommand.SuspendSession c) {
      return onSuspend(s, c);
    } else if (command instanceof SessionCommand.ResumeSession c) {
      return onResume(s, c);
    } else if (command instanceof SessionCommand.TerminateSession c) {
      return onTerminate(s, c);
    } else if (command instanceof SessionCommand.EraseSession c) {
      return onErase(s, c);
    } else if (command instanceof InternalCommand.ErasureEnded c) {
      return onErasureEnded(s, c);
    } else if (command instanceof WriteMemory c) {
      return onWriteMemory(s, c);
    } else if (command instanceof DeleteMemory c) {
      return onDeleteMemory(s, c);
    } else if (command instanceof ConnectTool c) {
      return onConnectTool(s, c);
    } else if (command instanceof DisconnectTool c) {
      return onDisconnectTool(s, c);
    } else if (command instanceof ChangePermissions c) {
      return onChangePermissions(s, c);
    } else if (command instanceof SessionCommand.CancelTurn c) {
      return onCancelTurn(s, c);
    } else if (command instanceof SessionCommand.ListApprovals c) {
      return read(
          s, c.caller(), c.replyTo(), x -> new SessionReply.ApprovalList(x.pendingApprovals()));
    } else if (command instanceof SessionCommand.DecideApproval c) {
      return onDecideApproval(s, c);
    } else if (command instanceof InternalCommand.ResumeWork) {
      EventBatch batch = progress.resume(s, driver.recovered());
      driver.resume();
      return act(s, batch);
    } else if (command instanceof InternalCommand.ModelFailed c) {
      driver.landed(TurnDriver.modelKey(c.turnId(), c.step()));
      return s.suspended() ? Effect().noReply() : act(s, progress.modelFailed(s, c));
    } else if (command instanceof InternalCommand.TurnDeadlinePassed c) {
      return s.suspended() ? Effect().noReply() : act(s, progress.turnDeadlinePassed(s, c));
    } else if (command instanceof InternalCommand.ApprovalDeadlinePassed c) {
      return act(s, progress.approvalDeadlinePassed(s, c));
    } else if (command instanceof InternalCommand.IdleCheck) {
      return onIdleCheck(s);
    } else if (command instanceof InternalCommand.ReadyToPassivate c) {
      passivation.ready(s, audience.hasFollowers(), c.seq());
      return Effect().noReply();
    } else if (command instanceof InternalCommand.ListStatus) {
      listing.write(s);
      return Effect().noReply();
    } else if (command instanceof SessionCommand.Subscribe c) {
      return onSubscribe(s, c);
    } else if (command instanceof SessionCommand.Unsubscribe c) {
      audience.unfollow(c.follower());
      return Effect().noReply();
    } else if (command instanceof InternalCommand.PublishDelta c) {
      audience.delta(c.turnId(), c.text());
      return Effect().noReply();
    }
    throw new IllegalArgumentException(
        "a command the session does not know: " + command.getClass().getName());
  }

  private ReplyEffect<SessionEvent, SessionState> onExpiring(
      SessionState s, SessionCommand.Expiring c) {
    if (clock.millis() > c.notAfterMillis()) {
      ctx.getLog()
          .info("Dropped a {} its asker gave up on", c.command().getClass().getSimpleName());
      return Effect().noReply();
    }
    return onCommand(s, c.command());
  }

  private ReplyEffect<SessionEvent, SessionState> onCreate(SessionState s, CreateSession c) {
    SessionSpec spec = withDefaultLimits(c.spec());
    if (s.erased()) {
      return reject(c.replyTo(), Problem.conflict("session_erased", erasedMessage()));
    }
    if (s.exists()) {
      boolean sameRequest =
          c.mode() == CreateMode.CREATE_OR_MATCH
              && s.owner().user().equals(c.caller().user())
              && s.createdWith().equals(spec);
      return sameRequest
          ? Effect().reply(c.replyTo(), hosted(current(s)))
          : reject(
              c.replyTo(),
              Problem.conflict(
                  "session_exists", "a different session exists under id " + sessionId));
    }
    Optional<Problem> problem =
        validation
            .spec(spec)
            .or(() -> unknownModel(spec.agent()))
            .or(() -> refusedHost(spec.tools()));
    if (problem.isPresent()) {
      return reject(c.replyTo(), problem.get());
    }
    SessionCreated created =
        new SessionCreated(new Owner(tenant, c.caller().user()), spec, clock.instant());
    return persist(List.of(created))
        .thenRun(next -> announce(next, new SessionReply.Created(view(next)), c.replyTo()))
        .thenNoReply();
  }

  private Optional<Problem> refusedHost(List<ToolConnection> tools) {
    for (int i = 0; i < tools.size(); i++) {
      Optional<String> refusal = runtime.tools().refusal(tools.get(i));
      if (refusal.isPresent()) {
        String field = "tools[" + i + "].url";
        return Optional.of(
            new Problem(
                Problem.Kind.INVALID, "host_not_allowed", field + ": " + refusal.get(), field));
      }
    }
    return Optional.empty();
  }

  private Optional<Problem> unknownModel(AgentDefinition agent) {
    Set<String> known = runtime.models().names();
    return known.isEmpty() || known.contains(agent.model())
        ? Optional.empty()
        : Optional.of(
            Problem.invalid(
                "agent.model",
                "agent.model names no model provider of this server; known: "
                    + new java.util.TreeSet<>(known)));
  }

  /**
   * An agent that names no budgets gets the configured ones, journaled with it so replay never
   * reads config.
   */
  private SessionSpec withDefaultLimits(SessionSpec spec) {
    AgentDefinition agent = spec.agent();
    if (agent == null || agent.limits() != null) {
      return spec;
    }
    return new SessionSpec(
        new AgentDefinition(agent.instructions(), agent.model(), settings.defaultLimits()),
        spec.tools(),
        spec.permissions(),
        spec.memory(),
        spec.metadata());
  }

  private ReplyEffect<SessionEvent, SessionState> onClose(SessionState s, CloseSession c) {
    return write(
        s,
        c.caller(),
        c.replyTo(),
        x -> close(x, c.caller(), "the session was closed", c.replyTo()));
  }

  /**
   * Closes the session; its unfinished turns end as cancelled, for {@code reason}. Replies {@code
   * Current}.
   */
  private ReplyEffect<SessionEvent, SessionState> close(
      SessionState x, Caller caller, String reason, ActorRef<SessionReply> replyTo) {
    if (x.closed()) {
      return Effect().reply(replyTo, hosted(current(x)));
    }
    Instant now = clock.instant();
    EventBatch batch = new EventBatch(x);
    x.activeTurn()
        .ifPresent(t -> planner.endTurn(batch, t, true, null, reason, caller.user(), now));
    batch
        .state()
        .unfinishedTurns()
        .forEach(
            t -> batch.add(new SessionEvent.TurnCancelled(t.id(), reason, caller.user(), now)));
    batch.add(new SessionClosed(caller.user(), now));
    return persist(batch.events())
        .thenRun(next -> announce(next, current(next), replyTo))
        .thenNoReply();
  }

  private ReplyEffect<SessionEvent, SessionState> onSuspend(
      SessionState s, SessionCommand.SuspendSession c) {
    return operate(
        s,
        c.caller(),
        c.replyTo(),
        x ->
            x.suspended()
                ? Effect().reply(c.replyTo(), hosted(current(x)))
                : persistAndShow(
                    new SessionEvent.SessionSuspended(
                        c.caller().user(), c.reason(), clock.instant()),
                    c.replyTo()));
  }

  private ReplyEffect<SessionEvent, SessionState> onResume(
      SessionState s, SessionCommand.ResumeSession c) {
    return operate(
        s,
        c.caller(),
        c.replyTo(),
        x -> {
          if (!x.suspended()) {
            return Effect().reply(c.replyTo(), hosted(current(x)));
          }
          Instant now = clock.instant();
          EventBatch batch = new EventBatch(x);
          batch.add(new SessionEvent.SessionResumed(c.caller().user(), now));
          planner.startNextTurn(batch, now);
          return persist(batch.events()).thenReply(c.replyTo(), next -> hosted(current(next)));
        });
  }

  private ReplyEffect<SessionEvent, SessionState> onTerminate(
      SessionState s, SessionCommand.TerminateSession c) {
    return operator(
        s,
        c.caller(),
        c.replyTo(),
        x ->
            close(
                x, c.caller(), "the session was terminated by " + c.caller().user(), c.replyTo()));
  }

  private ReplyEffect<SessionEvent, SessionState> onErase(
      SessionState s, SessionCommand.EraseSession c) {
    if (s.erased()) {
      if (!c.caller().operator()) {
        return reject(c.replyTo(), missing(s));
      }
      // Asked again (the first deletion failed, say): delete again, the tombstone stays.
      eraseStorage(s, c.replyTo());
      return Effect().noReply();
    }
    return operator(
        s,
        c.caller(),
        c.replyTo(),
        x -> {
          // The tombstone first: from here the id is refused, whatever happens to the deletion.
          SessionEvent tombstone =
              new SessionEvent.SessionErased(x.lastSeq() + 1, c.caller().user(), clock.instant());
          return persist(List.of(tombstone))
              .thenRun(next -> eraseStorage(next, c.replyTo()))
              .thenNoReply();
        });
  }

  /**
   * Deletes everything before the tombstone, and the directory entry; replies {@code Erased} when
   * done.
   */
  private void eraseStorage(SessionState erased, ActorRef<SessionReply> replyTo) {
    erasure.start(
        erased,
        replyTo == null
            ? DeferredReplies.NOBODY
            : replies.owe(
                replyTo, settings.askTimeout().multipliedBy(2), x -> Erasure.incomplete()));
  }

  private ReplyEffect<SessionEvent, SessionState> onErasureEnded(
      SessionState s, InternalCommand.ErasureEnded c) {
    if (c.owed() != DeferredReplies.NOBODY) {
      if (c.failure() == null) {
        passivation.stop();
      }
      replies.pay(c.owed(), erasure.ended(c));
    }
    return Effect().noReply();
  }

  /** Runs an operator's control of the session: the caller must be an operator of its tenant. */
  private ReplyEffect<SessionEvent, SessionState> operator(
      SessionState s,
      Caller caller,
      ActorRef<SessionReply> replyTo,
      Function<SessionState, ReplyEffect<SessionEvent, SessionState>> change) {
    return write(
        s,
        caller,
        replyTo,
        x ->
            caller.operator()
                ? change.apply(x)
                : reject(
                    replyTo,
                    new Problem(
                        Problem.Kind.FORBIDDEN,
                        "role_missing",
                        "this control needs the operator role",
                        null)));
  }

  /** As {@link #operator}, for a session that must still be open. */
  private ReplyEffect<SessionEvent, SessionState> operate(
      SessionState s,
      Caller caller,
      ActorRef<SessionReply> replyTo,
      Function<SessionState, ReplyEffect<SessionEvent, SessionState>> change) {
    return operator(
        s,
        caller,
        replyTo,
        x ->
            x.closed()
                ? reject(replyTo, Problem.conflict("session_closed", "the session is closed"))
                : change.apply(x));
  }

  private String erasedMessage() {
    return "session " + sessionId + " was erased; its id cannot be used again";
  }

  private ReplyEffect<SessionEvent, SessionState> onWriteMemory(SessionState s, WriteMemory c) {
    return open(
        s,
        c.caller(),
        c.replyTo(),
        x -> {
          Optional<Problem> problem = validation.memoryEntry(c.key(), c.value(), "memory.");
          if (problem.isPresent()) {
            return reject(c.replyTo(), problem.get());
          }
          boolean adds = !x.memory().containsKey(c.key());
          if (adds && x.memory().size() >= settings.maxMemoryEntries()) {
            return reject(
                c.replyTo(),
                Problem.tooLarge(
                    "memory", "memory is full: " + settings.maxMemoryEntries() + " entries"));
          }
          return persistAndShow(
              new SessionEvent.MemoryWritten(
                  c.key(), c.value(), c.caller().user(), clock.instant()),
              c.replyTo());
        });
  }

  private ReplyEffect<SessionEvent, SessionState> onDeleteMemory(SessionState s, DeleteMemory c) {
    return open(
        s,
        c.caller(),
        c.replyTo(),
        x ->
            c.key() != null && x.memory().containsKey(c.key())
                ? persistAndShow(
                    new SessionEvent.MemoryDeleted(c.key(), c.caller().user(), clock.instant()),
                    c.replyTo())
                : reject(
                    c.replyTo(),
                    new Problem(
                        Problem.Kind.NOT_FOUND,
                        "memory_key_not_found",
                        "no memory under key " + c.key(),
                        "key")));
  }

  private ReplyEffect<SessionEvent, SessionState> onConnectTool(SessionState s, ConnectTool c) {
    return open(
        s,
        c.caller(),
        c.replyTo(),
        x -> {
          Optional<Problem> problem =
              validation
                  .tool(c.tool(), "")
                  .or(
                      () ->
                          runtime
                              .tools()
                              .refusal(c.tool())
                              .map(
                                  why ->
                                      new Problem(
                                          Problem.Kind.INVALID,
                                          "host_not_allowed",
                                          "url: " + why,
                                          "url")));
          if (problem.isPresent()) {
            return reject(c.replyTo(), problem.get());
          }
          if (!x.tools().containsKey(c.tool().name()) && x.tools().size() >= settings.maxTools()) {
            return reject(
                c.replyTo(),
                Problem.tooLarge(
                    "tools", "the session holds " + settings.maxTools() + " tools already"));
          }
          return persistAndShow(
              new SessionEvent.ToolConnected(c.tool(), c.caller().user(), clock.instant()),
              c.replyTo());
        });
  }

  private ReplyEffect<SessionEvent, SessionState> onDisconnectTool(
      SessionState s, DisconnectTool c) {
    return open(
        s,
        c.caller(),
        c.replyTo(),
        x ->
            c.name() != null && x.tools().containsKey(c.name())
                ? persistAndShow(
                    new SessionEvent.ToolDisconnected(c.name(), c.caller().user(), clock.instant()),
                    c.replyTo())
                : reject(
                    c.replyTo(),
                    new Problem(
                        Problem.Kind.NOT_FOUND,
                        "tool_not_found",
                        "no tool named " + c.name(),
                        "name")));
  }

  private ReplyEffect<SessionEvent, SessionState> onChangePermissions(
      SessionState s, ChangePermissions c) {
    return open(
        s,
        c.caller(),
        c.replyTo(),
        x ->
            validation
                .permissions(c.permissions(), "tools")
                .map(p -> reject(c.replyTo(), p))
                .orElseGet(
                    () ->
                        persistAndShow(
                            new SessionEvent.PermissionsChanged(
                                c.permissions(), c.caller().user(), clock.instant()),
                            c.replyTo())));
  }

  private ReplyEffect<SessionEvent, SessionState> onUserMessage(SessionState s, SendUserMessage c) {
    return open(
        s,
        c.caller(),
        c.replyTo(),
        x -> {
          Optional<Turn> earlier =
              c.idempotencyKey() == null
                  ? Optional.empty()
                  : x.turnForIdempotencyKey(c.idempotencyKey());
          if (earlier.isEmpty() && c.turnId() != null) {
            earlier = x.turn(c.turnId());
          }
          if (earlier.isPresent()) {
            answerNowOrOnceSettled(earlier.get(), true, c);
            return Effect().noReply();
          }
          if (x.suspended()) {
            return reject(
                c.replyTo(),
                Problem.conflict(
                    "session_suspended",
                    "the session is suspended by an operator; it takes no new messages until resumed"));
          }
          Optional<Problem> problem = validation.message(c.content());
          if (problem.isPresent()) {
            return reject(c.replyTo(), problem.get());
          }
          List<Turn> unfinished = x.unfinishedTurns();
          if (!unfinished.isEmpty() && c.onBusy() == OnBusy.REJECT) {
            return reject(
                c.replyTo(),
                Problem.conflict(
                    "session_busy", "turn " + unfinished.get(0).id() + " has not ended"));
          }
          if (c.onBusy() != OnBusy.INTERRUPT
              && x.queuedMessages() >= settings.maxQueuedMessages()) {
            return reject(
                c.replyTo(),
                new Problem(
                    Problem.Kind.LIMIT,
                    "queue_full",
                    settings.maxQueuedMessages()
                        + " messages wait for their turn already; send again once some have run",
                    null));
          }
          if (planner.tokensExhausted(x)) {
            return reject(
                c.replyTo(),
                new Problem(
                    Problem.Kind.LIMIT,
                    "budget_exhausted",
                    "the session has spent its token budget of "
                        + x.agent().limits().maxSessionTokens(),
                    null));
          }
          Instant now = clock.instant();
          String turnId = c.turnId() != null ? c.turnId() : Turn.newId();
          EventBatch batch = new EventBatch(x);
          if (c.onBusy() == OnBusy.INTERRUPT) {
            x.activeTurn()
                .ifPresent(
                    t ->
                        planner.endTurn(
                            batch,
                            t,
                            true,
                            null,
                            "interrupted by a new message",
                            c.caller().user(),
                            now));
            batch
                .state()
                .unfinishedTurns()
                .forEach(
                    t ->
                        batch.add(
                            new SessionEvent.TurnCancelled(
                                t.id(), "interrupted by a new message", c.caller().user(), now)));
          }
          batch.add(
              new SessionEvent.UserMessageAccepted(
                  turnId, c.content(), c.idempotencyKey(), c.caller().user(), now));
          planner.startNextTurn(batch, now);
          return persist(batch.events())
              .thenRun(next -> answerNowOrOnceSettled(next.turn(turnId).orElseThrow(), false, c))
              .thenNoReply();
        });
  }

  /**
   * Answers a message with its turn now, or, when its asker waits for the turn to settle, once it
   * has settled, by the asker's deadline at the latest (a timer of the session: the asker gives up
   * later than that, so that it hears the turn as it stands rather than a timeout).
   */
  private void answerNowOrOnceSettled(Turn turn, boolean duplicate, SendUserMessage c) {
    replies.oweOnceSettled(
        turn,
        c.replyTo(),
        Duration.ofMillis(c.answerByMillis() - clock.millis()),
        t -> new SessionReply.TurnAccepted(t, duplicate));
  }

  private ReplyEffect<SessionEvent, SessionState> onCancelTurn(
      SessionState s, SessionCommand.CancelTurn c) {
    return write(
        s,
        c.caller(),
        c.replyTo(),
        x -> {
          Optional<Turn> turn = x.turn(c.turnId());
          if (turn.isEmpty()) {
            return reject(
                c.replyTo(),
                new Problem(
                    Problem.Kind.NOT_FOUND, "turn_not_found", "no turn " + c.turnId(), "turnId"));
          }
          if (turn.get().status().terminal()) {
            return reject(
                c.replyTo(),
                Problem.conflict(
                    "turn_ended",
                    "turn "
                        + c.turnId()
                        + " has already ended: "
                        + turn.get().status().wireName()));
          }
          Instant now = clock.instant();
          EventBatch batch = new EventBatch(x);
          if (turn.get().status() == TurnStatus.QUEUED) {
            batch.add(
                new SessionEvent.TurnCancelled(
                    c.turnId(), "cancelled by " + c.caller().user(), c.caller().user(), now));
          } else {
            planner.endTurn(
                batch,
                turn.get(),
                true,
                null,
                "cancelled by " + c.caller().user(),
                c.caller().user(),
                now);
            planner.startNextTurn(batch, now);
          }
          return persist(batch.events())
              .thenReply(
                  c.replyTo(),
                  next -> hosted(new SessionReply.TurnFound(next.turn(c.turnId()).orElseThrow())));
        });
  }

  private ReplyEffect<SessionEvent, SessionState> onDecideApproval(
      SessionState s, SessionCommand.DecideApproval c) {
    return write(
        s,
        c.caller(),
        c.replyTo(),
        x -> {
          if (!c.caller().approver()) {
            return reject(
                c.replyTo(),
                new Problem(
                    Problem.Kind.FORBIDDEN,
                    "role_missing",
                    "deciding approvals needs the approver role",
                    null));
          }
          Optional<Approval> approval = x.approval(c.approvalId());
          if (approval.isEmpty()) {
            return reject(
                c.replyTo(),
                new Problem(
                    Problem.Kind.NOT_FOUND,
                    "approval_not_found",
                    "no approval " + c.approvalId(),
                    "approvalId"));
          }
          if (!approval.get().pending()) {
            return reject(
                c.replyTo(),
                Problem.conflict(
                    "approval_decided",
                    "approval " + c.approvalId() + " is " + approval.get().status()));
          }
          EventBatch batch = new EventBatch(x);
          Instant now = clock.instant();
          if (!now.isBefore(approval.get().expiresAt())) {
            // The deadline passed before its timer fired: the approval is expired, whatever comes
            // now.
            planner.expire(batch, approval.get(), now);
            return persist(batch.events())
                .thenReply(
                    c.replyTo(),
                    next ->
                        hosted(
                            new Rejected(
                                Problem.conflict(
                                    "approval_decided",
                                    "approval "
                                        + c.approvalId()
                                        + " expired at "
                                        + approval.get().expiresAt()))));
          }
          Optional<Problem> problem =
              planner.decide(
                  batch,
                  approval.get(),
                  c.decision(),
                  c.comment(),
                  c.result(),
                  c.caller().user(),
                  now);
          if (problem.isPresent()) {
            return reject(c.replyTo(), problem.get());
          }
          return persist(batch.events())
              .thenReply(
                  c.replyTo(),
                  next ->
                      hosted(
                          new SessionReply.ApprovalDecided(
                              next.approval(c.approvalId()).orElseThrow())));
        });
  }

  private ReplyEffect<SessionEvent, SessionState> onAwaitTurn(
      SessionState s, SessionCommand.AwaitTurn c) {
    if (!s.exists() || !c.caller().maySee(s.owner())) {
      return reject(c.replyTo(), missing(s));
    }
    Optional<Turn> turn = s.turn(c.turnId());
    if (turn.isEmpty() || turn.get().settled()) {
      return Effect().reply(c.replyTo(), hosted(turn(s, c.turnId())));
    }
    replies.oweOnceSettled(
        turn.get(), c.replyTo(), settings.longestWait(), SessionReply.TurnFound::new);
    return Effect().noReply();
  }

  private ReplyEffect<SessionEvent, SessionState> onSubscribe(
      SessionState s, SessionCommand.Subscribe c) {
    return read(
        s,
        c.caller(),
        c.replyTo(),
        x -> {
          if (audience.follow(c.follower())) {
            ctx.watch(c.follower());
          }
          return new SessionReply.Subscribed(x.lastSeq());
        });
  }

  private ReplyEffect<SessionEvent, SessionState> onIdleCheck(SessionState s) {
    // Not through persist: the marker is bookkeeping, which followers, the directory and the
    // driver do not see.
    return passivation
        .idle(s, audience.hasFollowers())
        .map(
            marker ->
                Effect()
                    .persist(marker)
                    .thenRun(next -> passivation.markerJournaled(next.lastSeq()))
                    .thenNoReply())
        .orElseGet(() -> Effect().noReply());
  }

  /** Persists what was planned (if anything), then acts on where the work stands. */
  private ReplyEffect<SessionEvent, SessionState> act(SessionState s, EventBatch batch) {
    if (batch.isEmpty()) {
      driver.reconcile(s);
      return Effect().noReply();
    }
    return persist(batch.events()).thenNoReply();
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

  private SessionReply turn(SessionState s, String turnId) {
    return s.turn(turnId)
        .<SessionReply>map(SessionReply.TurnFound::new)
        .orElseGet(
            () ->
                new Rejected(
                    new Problem(
                        Problem.Kind.NOT_FOUND, "turn_not_found", "no turn " + turnId, "turnId")));
  }

  private SessionReply turns(SessionState s, ListTurns c) {
    if (c.limit() < 1) {
      return new Rejected(Problem.invalid("limit", "limit must be at least 1"));
    }
    List<Turn> newestFirst = new ArrayList<>(s.turns());
    java.util.Collections.reverse(newestFirst);
    int from = 0;
    if (c.afterTurnId() != null) {
      from = -1;
      for (int i = 0; i < newestFirst.size(); i++) {
        if (newestFirst.get(i).id().equals(c.afterTurnId())) {
          from = i + 1;
        }
      }
      if (from < 0) {
        return new Rejected(Problem.invalid("cursor", "cursor names no turn of this session"));
      }
    }
    int to = Math.min(newestFirst.size(), from + c.limit());
    String next = to < newestFirst.size() ? newestFirst.get(to - 1).id() : null;
    return new SessionReply.TurnList(newestFirst.subList(from, to), next);
  }

  /** Answers a read: any state, as long as the caller may see the session. */
  private ReplyEffect<SessionEvent, SessionState> read(
      SessionState s,
      Caller caller,
      ActorRef<SessionReply> replyTo,
      Function<SessionState, SessionReply> answer) {
    if (!s.exists() || !caller.maySee(s.owner())) {
      return reject(replyTo, missing(s));
    }
    return Effect().reply(replyTo, hosted(answer.apply(s)));
  }

  /** Runs a write the caller may make, in any state of an existing session. */
  private ReplyEffect<SessionEvent, SessionState> write(
      SessionState s,
      Caller caller,
      ActorRef<SessionReply> replyTo,
      Function<SessionState, ReplyEffect<SessionEvent, SessionState>> change) {
    if (!s.exists() || !caller.maySee(s.owner())) {
      return reject(replyTo, missing(s));
    }
    return change.apply(s);
  }

  /** Runs a write that needs the session open. */
  private ReplyEffect<SessionEvent, SessionState> open(
      SessionState s,
      Caller caller,
      ActorRef<SessionReply> replyTo,
      Function<SessionState, ReplyEffect<SessionEvent, SessionState>> change) {
    return write(
        s,
        caller,
        replyTo,
        x ->
            x.closed()
                ? reject(replyTo, Problem.conflict("session_closed", "the session is closed"))
                : change.apply(x));
  }

  /** Not found; an erased session says so, for an id that will never be served again. */
  private Problem missing(SessionState s) {
    return s.erased()
        ? new Problem(Problem.Kind.NOT_FOUND, "session_erased", erasedMessage(), null)
        : Problem.notFound();
  }

  private ReplyEffect<SessionEvent, SessionState> persistAndShow(
      SessionEvent event, ActorRef<SessionReply> replyTo) {
    return persist(List.of(event)).thenReply(replyTo, next -> hosted(current(next)));
  }

  private ReplyEffect<SessionEvent, SessionState> reject(
      ActorRef<SessionReply> replyTo, Problem problem) {
    return Effect().reply(replyTo, hosted(new Rejected(problem)));
  }

  /** Answers once the directory knows {@code next}, by the ask timeout at the latest. */
  private void announce(SessionState next, SessionReply reply, ActorRef<SessionReply> replyTo) {
    listing.announce(next, replies.owe(replyTo, settings.askTimeout(), x -> reply));
  }

  private SessionReply hosted(SessionReply reply) {
    return node == null ? reply : new SessionReply.Hosted(node, reply);
  }

  private SessionReply current(SessionState s) {
    return new SessionReply.Current(view(s));
  }

  private SessionView view(SessionState s) {
    return SessionView.of(sessionId, s);
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
              // a crash until ResumeWork has decided whether they may run again.
              driver.recovering(s);
              ctx.getSelf().tell(new InternalCommand.ResumeWork());
            })
        .onSignal(
            org.apache.pekko.actor.typed.Terminated.class, (s, t) -> audience.unfollow(t.getRef()))
        // Passivated, closed or moved: the MCP client sessions held for it are closed too.
        .onSignal(
            org.apache.pekko.actor.typed.PostStop.instance(),
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
