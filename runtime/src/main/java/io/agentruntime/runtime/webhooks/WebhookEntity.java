package io.agentruntime.runtime.webhooks;

import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.session.LifecycleNotice;
import io.agentruntime.runtime.session.Problem;
import io.agentruntime.runtime.webhooks.WebhookEvent.DeliveryAttempted;
import io.agentruntime.runtime.webhooks.WebhookEvent.EndpointRegistered;
import io.agentruntime.runtime.webhooks.WebhookEvent.EndpointRemoved;
import io.agentruntime.runtime.webhooks.WebhookEvent.EventQueued;
import io.agentruntime.runtime.webhooks.WebhookEvent.RedeliveryRequested;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A tenant's webhook outbox (decision 0027): a sharded, event-sourced entity per tenant (entity id:
 * the tenant) holding its endpoints, the events queued for them and each endpoint's delivery log.
 * Sessions hand it their lifecycle changes ({@link Offer}); a change it queued is journaled before
 * it is acknowledged, and tried until an endpoint answers 2xx or the backoff gives up. After any
 * restart (a crash, a move, a restart in place) every pending delivery is tried again: a POST cut
 * off may be repeated, never lost. One POST per endpoint is in flight at a time, the earliest due
 * first, so a healthy endpoint hears a session's changes in order.
 */
public final class WebhookEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        WebhookEntity.Command, WebhookEvent, WebhookState> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Webhooks");

  public sealed interface Command extends CborSerializable {}

  /**
   * A session's change; replies once it is queued, or needs no queueing (known, nobody takes it).
   */
  public record Offer(LifecycleNotice event, ActorRef<Done> replyTo) implements Command {}

  /** Adds {@code endpoint} unless the tenant has {@code max} already. */
  public record Register(Endpoint endpoint, int max, ActorRef<Registration> replyTo)
      implements Command {}

  /** The endpoint registered, or why not. */
  public record Registration(Endpoint endpoint, Problem problem) implements CborSerializable {}

  public record ListEndpoints(ActorRef<Endpoints> replyTo) implements Command {}

  public record Endpoints(List<Endpoint> endpoints) implements CborSerializable {}

  /** Replies the endpoint and its delivery log ({@code endpoint} null: no such endpoint). */
  public record Find(String endpointId, ActorRef<Found> replyTo) implements Command {}

  public record Found(Endpoint endpoint, List<Delivery> log) implements CborSerializable {
    public Found {
      log = List.copyOf(log);
    }
  }

  /** Removes the endpoint (its pending deliveries with it); replies what was removed. */
  public record Remove(String endpointId, String by, ActorRef<Found> replyTo) implements Command {}

  /** Tries the event again from now, with a fresh day of backoff; replies the log after. */
  public record Redeliver(String endpointId, String eventId, String by, ActorRef<Found> replyTo)
      implements Command {}

  private record Tick() implements Command {}

  /** One POST ended; {@code final} when trying again cannot help (the secret cannot be read). */
  private record Attempted(
      String endpointId, String eventId, Integer status, String error, boolean last)
      implements Command {}

  public static Behavior<Command> create(String tenant, WebhookSender sender, Clock clock) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(timers -> new WebhookEntity(ctx, timers, tenant, sender, clock)));
  }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final String tenant;
  private final WebhookSender sender;
  private final WebhookSettings settings;
  private final Clock clock;
  private final Set<String> inFlight = new HashSet<>();

  private WebhookEntity(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      String tenant,
      WebhookSender sender,
      Clock clock) {
    super(
        PersistenceId.of(TYPE_KEY.name(), tenant),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.ctx = ctx;
    this.timers = timers;
    this.tenant = tenant;
    this.sender = sender;
    this.settings = sender.settings();
    this.clock = clock;
  }

  @Override
  public WebhookState emptyState() {
    return WebhookState.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, WebhookEvent, WebhookState> commandHandler() {
    return this::onCommand;
  }

  private ReplyEffect<WebhookEvent, WebhookState> onCommand(WebhookState s, Command cmd) {
    Instant now = clock.instant();
    if (cmd instanceof Offer c) {
      return offer(s, c, now);
    } else if (cmd instanceof Register c) {
      if (s.endpoints().size() >= c.max()) {
        Problem full =
            new Problem(
                Problem.Kind.INVALID,
                "too_many_endpoints",
                "the tenant has " + c.max() + " webhook endpoints, the most it may have",
                "url");
        return Effect().reply(c.replyTo(), new Registration(null, full));
      }
      return Effect()
          .persist(new EndpointRegistered(c.endpoint()))
          .thenReply(c.replyTo(), next -> new Registration(c.endpoint(), null));
    } else if (cmd instanceof ListEndpoints c) {
      return Effect().reply(c.replyTo(), new Endpoints(List.copyOf(s.endpoints().values())));
    } else if (cmd instanceof Find c) {
      return Effect().reply(c.replyTo(), found(s, c.endpointId()));
    } else if (cmd instanceof Remove c) {
      Found before = found(s, c.endpointId());
      if (before.endpoint() == null) {
        return Effect().reply(c.replyTo(), before);
      }
      return Effect()
          .persist(new EndpointRemoved(c.endpointId(), c.by(), now))
          .thenReply(c.replyTo(), next -> before);
    } else if (cmd instanceof Redeliver c) {
      if (s.delivery(c.endpointId(), c.eventId()).isEmpty()) {
        return Effect().reply(c.replyTo(), found(s, c.endpointId()));
      }
      return Effect()
          .persist(new RedeliveryRequested(c.endpointId(), c.eventId(), c.by(), now))
          .thenRun(this::kick)
          .thenReply(c.replyTo(), next -> found(next, c.endpointId()));
    } else if (cmd instanceof Attempted c) {
      return attempted(s, c, now);
    }
    kick(s); // Tick
    return Effect().noReply();
  }

  private ReplyEffect<WebhookEvent, WebhookState> offer(WebhookState s, Offer c, Instant now) {
    LifecycleNotice event = c.event();
    if (s.seen(event.eventId()) || event.at().isBefore(now.minus(settings.dedupWindow()))) {
      return Effect().reply(c.replyTo(), Done.getInstance());
    }
    List<String> takers = s.takers(event, settings.maxPending());
    long full =
        s.endpoints().values().stream().filter(e -> e.takes(event.type(), event.at())).count()
            - takers.size();
    if (full > 0) {
      ctx.getLog()
          .warn(
              "Webhook event {} ({}) not queued for {} endpoint(s) of tenant {}: {} pending",
              event.eventId(),
              event.type(),
              full,
              tenant,
              settings.maxPending());
    }
    if (takers.isEmpty()) {
      return Effect().reply(c.replyTo(), Done.getInstance()); // nothing to deliver, nothing written
    }
    return Effect()
        .persist(new EventQueued(event, takers, now))
        .thenRun(this::kick)
        .thenReply(c.replyTo(), next -> Done.getInstance());
  }

  private ReplyEffect<WebhookEvent, WebhookState> attempted(
      WebhookState s, Attempted c, Instant now) {
    inFlight.remove(c.endpointId());
    var delivery = s.delivery(c.endpointId(), c.eventId()).filter(Delivery::pending);
    if (delivery.isEmpty()) {
      kick(s); // removed, or redelivered meanwhile: nothing to record
      return Effect().noReply();
    }
    Delivery d = delivery.get();
    boolean delivered = c.status() != null && c.status() >= 200 && c.status() < 300;
    Instant next =
        delivered || c.last()
            ? null
            : settings.backoff().next(d.attempts() + 1, d.since(), now).orElse(null);
    if (!delivered && next == null) {
      ctx.getLog()
          .warn(
              "Webhook event {} ({}) to endpoint {} of tenant {} given up after {} tries: {}",
              c.eventId(),
              d.event().type(),
              c.endpointId(),
              tenant,
              d.attempts() + 1,
              c.status() != null ? "HTTP " + c.status() : c.error());
    }
    return Effect()
        .persist(
            new DeliveryAttempted(
                c.endpointId(), c.eventId(), c.status(), c.error(), delivered, next, now))
        .thenRun(this::kick)
        .thenNoReply();
  }

  /** Starts each endpoint's earliest due delivery, and wakes up when the next one is due. */
  private void kick(WebhookState s) {
    Instant now = clock.instant();
    Instant wake = null;
    for (Endpoint e : s.endpoints().values()) {
      if (inFlight.contains(e.id())) {
        continue;
      }
      Delivery due = null;
      for (Delivery d : s.log(e.id())) {
        if (d.pending() && (due == null || d.nextAttemptAt().isBefore(due.nextAttemptAt()))) {
          due = d;
        }
      }
      if (due == null) {
        continue;
      }
      if (!due.nextAttemptAt().isAfter(now)) {
        start(e, due);
      } else if (wake == null || due.nextAttemptAt().isBefore(wake)) {
        wake = due.nextAttemptAt();
      }
    }
    if (wake != null) {
      timers.startSingleTimer("tick", new Tick(), Duration.between(now, wake));
    }
  }

  private void start(Endpoint e, Delivery d) {
    inFlight.add(e.id());
    String eventId = d.event().eventId();
    ctx.pipeToSelf(
        sender.send(tenant, e, d.event()),
        (outcome, failure) ->
            failure != null
                ? new Attempted(e.id(), eventId, null, failure.toString(), false)
                : new Attempted(
                    e.id(), eventId, outcome.status(), outcome.error(), outcome.last()));
  }

  @Override
  public EventHandler<WebhookState, WebhookEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onAnyEvent(
            (state, event) -> state.apply(event, settings.logSize(), settings.dedupWindow()));
  }

  @Override
  public SignalHandler<WebhookState> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::kick).build();
  }

  private static Found found(WebhookState s, String endpointId) {
    return new Found(s.endpoint(endpointId).orElse(null), s.log(endpointId));
  }
}
