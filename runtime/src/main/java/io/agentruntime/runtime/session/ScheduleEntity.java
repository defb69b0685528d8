package io.agentruntime.runtime.session;

import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.session.ScheduleBook.Event;
import io.agentruntime.runtime.session.ScheduleBook.ScheduleAdded;
import io.agentruntime.runtime.session.ScheduleBook.ScheduleRan;
import io.agentruntime.runtime.session.ScheduleBook.ScheduleRemoved;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The schedules of one session (entity id {@code tenant:sessionId}, as the session's): the single
 * writer of their journal and the one that wakes the session when one is due (decision 0038). It
 * lives, remembered by its shard, while it holds a schedule, so a passivated session, or one whose
 * node died, is still woken: the entity comes back on the node that takes its shard over and fires
 * what is due. A firing is sent to the session at least once, as a message naming the turn {@link
 * Schedule#firingId}; the session journals that turn, and a firing sent again finds it and opens
 * none, so each firing happens exactly once.
 */
public final class ScheduleEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        ScheduleEntity.Command, ScheduleBook.Event, ScheduleBook> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "SessionSchedules");

  /**
   * The longest a timer is set for; past it the entity looks again (Pekko timers cap at ~248 d).
   */
  private static final Duration LONGEST_TIMER = Duration.ofHours(1);

  /** How long an entity without schedules stays before it passivates. */
  private static final Duration IDLE = Duration.ofSeconds(10);

  public sealed interface Command extends CborSerializable {}

  /**
   * Replies {@link Made} or {@link Refused}. {@code id} (nullable: a new one) names the schedule: a
   * create naming one that exists answers it and sets nothing (a tool call made again).
   */
  public record Create(ScheduleRules.Request request, Caller by, String id, ActorRef<Reply> replyTo)
      implements Command {}

  /** Replies {@link Listed}. */
  public record ListSchedules(ActorRef<Reply> replyTo) implements Command {}

  /** Replies {@link Removed}, or {@link Refused} (not found). */
  public record Delete(String scheduleId, ActorRef<Reply> replyTo) implements Command {}

  private record Tick() implements Command {}

  private record Idle() implements Command {}

  /** The node's {@link FiringGate} lets the firing of {@code scheduleId} go. */
  record Admitted(String scheduleId) implements Command {}

  /**
   * What the session answered firing {@code due} of schedule {@code scheduleId}, sent at {@code
   * sentMillis}.
   */
  private record Delivered(
      String scheduleId,
      ScheduleRules.Due due,
      long sentMillis,
      SessionReply reply,
      Throwable failure)
      implements Command {}

  /**
   * The session took firing {@code due} of {@code scheduleId}; no firing of the node waits any more
   * (or the wait was long enough): the run is recorded now (decision 0064).
   */
  private record Taken(String scheduleId, ScheduleRules.Due due) implements Command {}

  public sealed interface Reply extends CborSerializable {}

  public record Made(Schedule schedule) implements Reply {}

  public record Listed(List<Schedule> schedules) implements Reply {
    public Listed {
      schedules = List.copyOf(schedules);
    }
  }

  public record Removed(String scheduleId) implements Reply {}

  public record Refused(Problem problem) implements Reply {}

  public static Behavior<Command> create(
      String entityId,
      ScheduleRules rules,
      ScheduleSettings settings,
      Duration askTimeout,
      Clock clock,
      ActorRef<ClusterSharding.ShardCommand> shard,
      LifecycleFeed lifecycle,
      ActorRef<FiringGate.Command> gate) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new ScheduleEntity(
                        ctx,
                        timers,
                        entityId,
                        rules,
                        settings,
                        askTimeout,
                        clock,
                        shard,
                        lifecycle,
                        gate)));
  }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final String entityId;
  private final ScheduleRules rules;
  private final ScheduleSettings settings;
  private final Duration askTimeout;
  private final Clock clock;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final LifecycleFeed lifecycle;
  private final ActorRef<FiringGate.Command> gate;

  /**
   * The firings on their way: waiting for the node's gate, sent to the session and not answered
   * yet, by schedule id.
   */
  private final Map<String, ScheduleRules.Due> inFlight = new HashMap<>();

  /** The run each schedule's session was last woken for (decision 0048), by schedule id. */
  private final Map<String, Instant> woken = new HashMap<>();

  /** The firings a recovery replays, to offer their {@code schedule.fired} again. */
  private final ScheduleFiredNotices fired;

  /** True until the journal was read: each event folded until then is replayed. */
  private boolean recovering = true;

  /** Firings sent again since the session last answered one: the wait before the next doubles. */
  private int unanswered = 0;

  private ScheduleEntity(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      String entityId,
      ScheduleRules rules,
      ScheduleSettings settings,
      Duration askTimeout,
      Clock clock,
      ActorRef<ClusterSharding.ShardCommand> shard,
      LifecycleFeed lifecycle,
      ActorRef<FiringGate.Command> gate) {
    super(PersistenceId.of(TYPE_KEY.name(), entityId));
    this.lifecycle = lifecycle;
    this.gate = gate;
    this.ctx = ctx;
    this.timers = timers;
    this.entityId = entityId;
    this.rules = rules;
    this.settings = settings;
    this.askTimeout = askTimeout;
    this.clock = clock;
    this.shard = shard;
    this.fired = new ScheduleFiredNotices(entityId, settings.recoveryNotices());
  }

  @Override
  public ScheduleBook emptyState() {
    return ScheduleBook.empty();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, ScheduleBook> commandHandler() {
    return this::onCommand;
  }

  private ReplyEffect<Event, ScheduleBook> onCommand(ScheduleBook book, Command cmd) {
    if (cmd instanceof Create c) {
      Optional<Schedule> earlier = c.id() == null ? Optional.empty() : book.get(c.id());
      if (earlier.isPresent()) {
        return Effect().reply(c.replyTo(), new Made(earlier.get()));
      }
      ScheduleRules.Created made =
          rules.create(
              c.request(),
              c.id() != null ? c.id() : Schedule.newId(),
              c.by(),
              clock.instant(),
              book.schedules().size());
      if (made.refusal() != null) {
        return Effect().reply(c.replyTo(), new Refused(made.refusal()));
      }
      return Effect()
          .persist(new ScheduleAdded(made.schedule()))
          .thenRun(this::armed)
          .thenReply(c.replyTo(), next -> new Made(made.schedule()));
    } else if (cmd instanceof ListSchedules c) {
      idleIfEmpty(book);
      return Effect().reply(c.replyTo(), new Listed(book.list()));
    } else if (cmd instanceof Delete c) {
      if (book.get(c.scheduleId()).isEmpty()) {
        idleIfEmpty(book);
        return Effect().reply(c.replyTo(), new Refused(notFound(c.scheduleId())));
      }
      return Effect()
          .persist(new ScheduleRemoved(c.scheduleId(), "deleted"))
          .thenRun(this::armed)
          .thenReply(c.replyTo(), next -> new Removed(c.scheduleId()));
    } else if (cmd instanceof Tick) {
      return onTick(book);
    } else if (cmd instanceof Admitted a) {
      return onAdmitted(book, a);
    } else if (cmd instanceof Delivered d) {
      return onDelivered(book, d);
    } else if (cmd instanceof Taken t) {
      return onTaken(book, t);
    } else if (cmd instanceof Idle) {
      if (book.isEmpty() && inFlight.isEmpty()) {
        shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
      }
      return Effect().noReply();
    }
    throw new IllegalArgumentException("a command the schedules do not know: " + cmd);
  }

  static Problem notFound(String scheduleId) {
    return new Problem(
        Problem.Kind.NOT_FOUND, "schedule_not_found", "schedule not found: " + scheduleId, null);
  }

  /** Fires what is due (skips what was missed and is to be skipped), then sets the next timer. */
  private ReplyEffect<Event, ScheduleBook> onTick(ScheduleBook book) {
    retrying = false;
    Instant now = clock.instant();
    List<Event> skipped = new ArrayList<>();
    for (Schedule s : book.list()) {
      if (inFlight.containsKey(s.id())) {
        continue;
      }
      Optional<ScheduleRules.Due> due = rules.due(s, now);
      if (due.isEmpty()) {
        if (wakePending(s) && !rules.wakeAt(s).isAfter(now)) {
          wake(s);
        }
        continue;
      } else if (due.get().fireDueAt() == null) {
        ctx.getLog().info("Schedule {} skipped its run missed at {}", s.id(), s.nextRunAt());
        skipped.add(new ScheduleRan(s.id(), s.nextRunAt(), false, due.get().next()));
      } else {
        fire(s, due.get());
      }
    }
    if (skipped.isEmpty()) {
      armed(book);
      return Effect().noReply();
    }
    return Effect().persist(skipped).thenRun(this::armed).thenNoReply();
  }

  /** {@code schedule.fired} for the run of {@code scheduleId} due at {@code dueAt}, to webhooks. */
  private void announceFired(String scheduleId, Instant dueAt) {
    lifecycle.notice(
        tenant(), ScheduleFiredNotices.notice(entityId, scheduleId, dueAt, clock.instant()));
  }

  private String tenant() {
    return entityId.substring(0, entityId.indexOf(':'));
  }

  /** Whether the session of {@code s} is still to be woken for its next run. */
  private boolean wakePending(Schedule s) {
    return rules.wakeAt(s) != null && !s.nextRunAt().equals(woken.get(s.id()));
  }

  /**
   * Wakes the session before {@code s}'s next run (decision 0048): its recovery and its shard's
   * remembered-entity write happen now, not on the run's path; it stays in memory until the
   * wake-ahead after the run. Told, not asked: the run itself is what is delivered at least once.
   */
  private void wake(Schedule s) {
    woken.put(s.id(), s.nextRunAt());
    session()
        .tell(new SessionCommand.Wake(s.nextRunAt().plus(settings.wakeAhead()).toEpochMilli()));
  }

  private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<SessionCommand> session() {
    return ClusterSharding.get(ctx.getSystem()).entityRefFor(SessionEntity.TYPE_KEY, entityId);
  }

  /** {@code s}'s run {@code due} asks the node's gate to go (it comes back {@link Admitted}). */
  private void fire(Schedule s, ScheduleRules.Due due) {
    inFlight.put(s.id(), due);
    woken.remove(s.id());
    gate.tell(new FiringGate.Enter(ctx.getSelf(), s.id()));
  }

  private ReplyEffect<Event, ScheduleBook> onAdmitted(ScheduleBook book, Admitted a) {
    ScheduleRules.Due due = inFlight.get(a.scheduleId());
    Optional<Schedule> s = book.get(a.scheduleId());
    if (due == null || s.isEmpty() || !s.get().nextRunAt().equals(due.fireDueAt())) {
      // Deleted (or changed) while it waited: it goes nowhere.
      gate.tell(new FiringGate.Leave(ctx.getSelf(), a.scheduleId()));
      inFlight.remove(a.scheduleId());
      armed(book);
    } else {
      send(s.get(), due);
    }
    return Effect().noReply();
  }

  /**
   * Sends the session the message of {@code s}'s run {@code due}, queued behind a running turn and
   * naming the turn by the firing id; its answer comes back as {@link Delivered}.
   */
  private void send(Schedule s, ScheduleRules.Due due) {
    String turnId = Schedule.firingId(s.id(), due.fireDueAt());
    long sentMillis = clock.millis();
    ctx.pipeToSelf(
        session()
            .<SessionReply>ask(
                replyTo ->
                    new SessionCommand.SendUserMessage(
                        s.by(),
                        s.message(),
                        OnBusy.QUEUE,
                        null,
                        turnId,
                        0,
                        replyTo,
                        SessionEvent.UserMessageAccepted.SCHEDULE),
                askTimeout),
        (reply, failure) -> new Delivered(s.id(), due, sentMillis, reply, failure));
  }

  private ReplyEffect<Event, ScheduleBook> onDelivered(ScheduleBook book, Delivered d) {
    gate.tell(new FiringGate.Leave(ctx.getSelf(), d.scheduleId()));
    inFlight.remove(d.scheduleId());
    boolean answered = d.failure() == null;
    unanswered = answered ? 0 : unanswered;
    Optional<Schedule> s = book.get(d.scheduleId());
    if (s.isEmpty() || !s.get().nextRunAt().equals(d.due().fireDueAt())) {
      armed(book); // deleted (or changed) while its firing was on its way
      return Effect().noReply();
    }
    SessionReply reply = d.reply() instanceof SessionReply.Hosted h ? h.reply() : d.reply();
    if (reply instanceof SessionReply.TurnAccepted accepted) {
      timed(d, accepted);
      recordAfterFirings(d.scheduleId(), d.due());
      return Effect().noReply();
    } else if (reply instanceof SessionReply.Rejected r
        && r.problem().kind() == Problem.Kind.NOT_FOUND) {
      ctx.getLog().info("Schedule {} removed: its session is gone", d.scheduleId());
      return Effect()
          .persist(new ScheduleRemoved(d.scheduleId(), "session_not_found"))
          .thenRun(this::armed)
          .thenNoReply();
    } else if (reply instanceof SessionReply.Rejected r
        && r.problem().kind() != Problem.Kind.UNAVAILABLE) {
      // Closed, suspended, its queue full: this run is over without a turn; the next one may land.
      ctx.getLog()
          .warn(
              "Schedule {} run at {} refused by its session: {}",
              d.scheduleId(),
              d.due().fireDueAt(),
              r.problem().code());
      return Effect()
          .persist(new ScheduleRan(d.scheduleId(), d.due().fireDueAt(), false, d.due().next()))
          .thenRun(this::armed)
          .thenNoReply();
    }
    // No answer in time, or the session's journal was away: sent again under the same firing id,
    // after a wait that doubles (up to 32 times retry-after) with jitter, so that many schedules
    // due at once do not all ask an overloaded node again in the same second.
    Duration wait = retryWait(unanswered++);
    ctx.getLog()
        .info(
            "Schedule {} run at {} not answered ({}); sent again in {}",
            d.scheduleId(),
            d.due().fireDueAt(),
            d.failure() != null ? d.failure().toString() : reply,
            wait);
    retrying = true;
    timers.startSingleTimer("tick", new Tick(), wait);
    return Effect().noReply();
  }

  /**
   * The run {@code due} of {@code scheduleId} fired (its session journaled the turn): it is
   * recorded once no firing of the node waits any more (decision 0064), so that a burst of runs due
   * at one instant costs the journal one write each until all of them are taken. Until then it
   * stays on its way (not fired again); lost with the entity, it is fired again on recovery, and
   * the session answers it as the turn it already has.
   */
  private void recordAfterFirings(String scheduleId, ScheduleRules.Due due) {
    inFlight.put(scheduleId, due);
    Duration longest = FiringGate.holdBehindFirings(ctx.getSystem());
    if (longest.isZero()) {
      ctx.getSelf().tell(new Taken(scheduleId, due));
      return;
    }
    ctx.ask(
        FiringGate.Clear.class,
        gate,
        longest,
        FiringGate.AfterFirings::new,
        (clear, tooLong) -> new Taken(scheduleId, due));
  }

  private ReplyEffect<Event, ScheduleBook> onTaken(ScheduleBook book, Taken t) {
    inFlight.remove(t.scheduleId());
    Optional<Schedule> s = book.get(t.scheduleId());
    if (s.isEmpty() || !s.get().nextRunAt().equals(t.due().fireDueAt())) {
      armed(book); // deleted (or changed) while it waited
      return Effect().noReply();
    }
    // Announced once journaled, at least once: the webhook outbox keeps one per firing id.
    return Effect()
        .persist(new ScheduleRan(t.scheduleId(), t.due().fireDueAt(), true, t.due().next()))
        .thenRun(this::armed)
        .thenRun(after -> announceFired(t.scheduleId(), t.due().fireDueAt()))
        .thenNoReply();
  }

  /**
   * Where a firing's delay went (decision 0048), at debug level: from its time to its sending (the
   * timer), to the session taking its message (reaching and waking the session: the journaled time
   * of the message), to the answer (the message's journal write).
   */
  private void timed(Delivered d, SessionReply.TurnAccepted accepted) {
    if (ctx.getLog().isDebugEnabled() && !accepted.duplicate()) {
      long due = d.due().fireDueAt().toEpochMilli();
      long taken = accepted.turn().acceptedAt().toEpochMilli();
      ctx.getLog()
          .debug(
              "Schedule {} run at {} fired: sent +{} ms, taken +{} ms, answered +{} ms",
              d.scheduleId(),
              d.due().fireDueAt(),
              d.sentMillis() - due,
              taken - due,
              clock.millis() - due);
    }
  }

  /** While a firing waits to be sent again: the retry's timer is not cut short by other events. */
  private boolean retrying = false;

  Duration retryWait(int retries) {
    long base = settings.retryAfter().toMillis() << Math.min(retries, 5);
    return Duration.ofMillis(
        base / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(base / 2 + 1));
  }

  /** Sets the timer for the earliest run not on its way, or passivates when none is left. */
  private void armed(ScheduleBook book) {
    if (retrying) {
      return; // the retry's timer is set; its tick looks at every schedule
    }
    Optional<Instant> earliest =
        book.list().stream()
            .filter(s -> !inFlight.containsKey(s.id()))
            .map(s -> wakePending(s) ? rules.wakeAt(s) : s.nextRunAt())
            .min(Instant::compareTo);
    if (earliest.isPresent()) {
      Duration wait = Duration.between(clock.instant(), earliest.get());
      wait = wait.isNegative() ? Duration.ZERO : wait;
      timers.startSingleTimer(
          "tick", new Tick(), wait.compareTo(LONGEST_TIMER) > 0 ? LONGEST_TIMER : wait);
    } else if (inFlight.isEmpty()) {
      timers.cancel("tick");
    }
    idleIfEmpty(book);
  }

  private void idleIfEmpty(ScheduleBook book) {
    if (book.isEmpty() && inFlight.isEmpty()) {
      timers.startSingleTimer("idle", new Idle(), IDLE);
    }
  }

  @Override
  public EventHandler<ScheduleBook, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(this::fold);
  }

  private ScheduleBook fold(ScheduleBook book, Event e) {
    if (recovering) {
      fired.replayed(e); // offered again once recovered, never from here
    }
    return book.apply(e);
  }

  @Override
  public SignalHandler<ScheduleBook> signalHandler() {
    // Whatever came due while the entity was away (downtime, a failover) is decided now.
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            book -> {
              recovering = false;
              // A firing journaled but cut off before its hand-off is not lost (decision 0027).
              fired.recovered().forEach(n -> lifecycle.again(tenant(), n));
              ctx.getSelf().tell(new Tick());
            })
        .build();
  }
}
