package io.agentruntime.runtime.webhooks;

import io.agentruntime.runtime.Continuations;
import io.agentruntime.runtime.session.Caller;
import io.agentruntime.runtime.session.LifecycleFeed;
import io.agentruntime.runtime.session.LifecycleNotice;
import io.agentruntime.runtime.session.OutcomeUnknown;
import io.agentruntime.runtime.session.Problem;
import io.agentruntime.runtime.session.SessionRefused;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenants' webhooks, as this node reaches them (decision 0027): the API's operations go to the
 * tenant's {@link WebhookEntity} wherever it lives, and the node's sessions hand their lifecycle
 * changes to it here. A change is handed over in the order its tenant's sessions made them on this
 * node, retried with a growing wait if the outbox does not acknowledge it; a change still not taken
 * after the retries (or cut off by a crash) is announced again by the session's recovery.
 */
public final class Webhooks implements WebhookService, LifecycleFeed {

  private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);

  private final ClusterSharding sharding;
  private final Executor dispatcher;
  private final WebhookSettings settings;
  private final Optional<SecretBox> box;
  private final SecureRandom random;
  private final Clock clock;

  /** Per tenant, the hand-over last begun on this node; the next one follows it. */
  private final ConcurrentHashMap<String, CompletableFuture<Void>> handOvers =
      new ConcurrentHashMap<>();

  private final TenantListeners listeners;

  private Webhooks(
      ActorSystem<?> system,
      WebhookSettings settings,
      Optional<SecretBox> box,
      SecureRandom random,
      Clock clock) {
    this.sharding = ClusterSharding.get(system);
    this.dispatcher = system.executionContext();
    this.settings = settings;
    this.box = box;
    this.random = random;
    this.clock = clock;
    this.listeners = new TenantListeners(settings.endpointsRecheck().toNanos());
  }

  /**
   * Starts sharding for the tenants' outboxes on this node, with {@code agent-runtime.webhooks}.
   */
  public static Webhooks start(ActorSystem<?> system, Clock clock) {
    WebhookSettings settings = WebhookSettings.fromConfig(system.settings().config());
    SecureRandom random = new SecureRandom();
    Optional<SecretBox> box = settings.secretKey().map(key -> new SecretBox(key, random));
    WebhookSender sender = new WebhookSender(settings, box, clock);
    ClusterSharding.get(system)
        .init(
            Entity.of(
                WebhookEntity.TYPE_KEY,
                ctx -> WebhookEntity.create(ctx.getEntityId(), sender, clock)));
    return new Webhooks(system, settings, box, random, clock);
  }

  @Override
  public void notice(String tenant, LifecycleNotice notice) {
    if (listeners.listening(tenant, System.nanoTime()).equals(Optional.of(false))) {
      return; // nobody listens: no ask, nothing queued (an endpoint takes changes after it)
    }
    List<CompletableFuture<Void>> made = new java.util.ArrayList<>(1);
    handOvers.compute(
        tenant,
        (t, last) -> {
          CompletableFuture<Void> previous =
              last == null ? CompletableFuture.completedFuture(null) : last;
          made.add(
              previous
                  .thenCompose(x -> listening(tenant))
                  .thenCompose(
                      listening ->
                          listening
                              ? handOver(tenant, notice, 0)
                              : CompletableFuture.completedFuture(null)));
          return made.get(0);
        });
    // Outside compute: a stage that is complete already would otherwise update the map within it.
    CompletableFuture<Void> next = made.get(0);
    next.whenComplete((x, failure) -> handOvers.remove(tenant, next));
  }

  @Override
  public CompletionStage<Void> settled(String tenant) {
    CompletableFuture<Void> last = handOvers.get(tenant);
    return last == null ? SETTLED : last.handle((x, failure) -> null);
  }

  @Override
  public boolean mayListen(String tenant) {
    return !listeners.listening(tenant, System.nanoTime()).equals(Optional.of(false));
  }

  /**
   * Whether the tenant has an endpoint, as last learned or asked now; when the outbox does not
   * answer, as if it had (the hand-off then retries).
   */
  private CompletableFuture<Boolean> listening(String tenant) {
    Optional<Boolean> known = listeners.listening(tenant, System.nanoTime());
    if (known.isPresent()) {
      return CompletableFuture.completedFuture(known.get());
    }
    return ask(tenant, WebhookEntity.ListEndpoints::new, WebhookEntity.Endpoints.class)
        .toCompletableFuture()
        .handle(
            (endpoints, failure) -> {
              if (failure != null) {
                return true;
              }
              boolean any = !endpoints.endpoints().isEmpty();
              listeners.learned(tenant, any, System.nanoTime());
              return any;
            });
  }

  /** Offers {@code notice} until acknowledged or out of retries; never fails. */
  private CompletableFuture<Void> handOver(String tenant, LifecycleNotice notice, int tries) {
    return Continuations.on(
            dispatcher,
            outbox(tenant)
                .<Done>ask(
                    replyTo -> new WebhookEntity.Offer(notice, replyTo), settings.askTimeout()))
        .<CompletableFuture<Void>>handle(
            (done, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(null);
              } else if (tries >= settings.handoffRetries()) {
                LOG.warn(
                    "Webhook event {} ({}) of session {} not handed to tenant {}'s outbox after {}"
                        + " tries; the session's next recovery announces it again: {}",
                    notice.eventId(),
                    notice.type(),
                    notice.sessionId(),
                    tenant,
                    tries + 1,
                    failure.toString());
                return CompletableFuture.completedFuture(null);
              }
              long waitMillis = settings.askTimeout().toMillis() << Math.min(tries, 6);
              Executor later =
                  CompletableFuture.delayedExecutor(waitMillis, TimeUnit.MILLISECONDS, dispatcher);
              return CompletableFuture.supplyAsync(() -> null, later)
                  .thenCompose(x -> handOver(tenant, notice, tries + 1));
            })
        .thenCompose(f -> f);
  }

  @Override
  public CompletionStage<NewEndpoint> register(
      String tenant, Caller caller, String url, List<String> events) {
    Optional<Problem> refused =
        operatorOnly(caller).or(() -> WebhookValidation.url(url, settings.hosts()));
    WebhookValidation.Events types = WebhookValidation.events(events);
    if (refused.isEmpty() && types.problem() != null) {
      refused = Optional.of(types.problem());
    }
    if (refused.isEmpty() && box.isEmpty()) {
      refused =
          Optional.of(
              new Problem(
                  Problem.Kind.UNAVAILABLE,
                  "webhooks_unavailable",
                  "webhooks need a secret key on the server (AGENT_RUNTIME_WEBHOOK_KEY)",
                  null));
    }
    if (refused.isPresent()) {
      return CompletableFuture.failedFuture(new SessionRefused(refused.get()));
    }
    String id = "we_" + HexFormat.of().formatHex(bytes(12));
    String secret = WebhookSignature.newSecret(random);
    Endpoint endpoint =
        new Endpoint(
            id,
            url,
            types.types(),
            box.get().seal(secret, tenant, id),
            caller.user(),
            clock.instant());
    return ask(
            tenant,
            (akka) -> new WebhookEntity.Register(endpoint, settings.maxEndpoints(), akka),
            WebhookEntity.Registration.class)
        .exceptionallyCompose(failure -> registeredAfterAll(tenant, endpoint, failure))
        .thenApply(
            r -> {
              listeners.forget(tenant);
              if (r.problem() != null) {
                throw new SessionRefused(r.problem());
              }
              return new NewEndpoint(r.endpoint(), secret);
            });
  }

  /**
   * A registration whose ask timed out may have been journaled anyway: the endpoint, if the outbox
   * holds it now; else {@link OutcomeUnknown}, never "nothing was accepted" (decision 0034), since
   * a client that repeats a registration that landed gets a second endpoint.
   */
  private CompletionStage<WebhookEntity.Registration> registeredAfterAll(
      String tenant, Endpoint endpoint, Throwable failure) {
    Throwable cause =
        failure instanceof java.util.concurrent.CompletionException c ? c.getCause() : failure;
    if (!(cause instanceof java.util.concurrent.TimeoutException)) {
      return CompletableFuture.failedFuture(cause);
    }
    return ask(
            tenant,
            replyTo -> new WebhookEntity.Find(endpoint.id(), replyTo),
            WebhookEntity.Found.class)
        .handle(
            (found, lookUpFailure) -> {
              if (found != null && found.endpoint() != null) {
                return new WebhookEntity.Registration(found.endpoint(), null);
              }
              throw new OutcomeUnknown("webhook registration not confirmed in time", cause);
            });
  }

  @Override
  public CompletionStage<List<Endpoint>> list(String tenant, Caller caller) {
    return guarded(caller)
        .thenCompose(
            x ->
                ask(tenant, WebhookEntity.ListEndpoints::new, WebhookEntity.Endpoints.class)
                    .thenApply(WebhookEntity.Endpoints::endpoints));
  }

  @Override
  public CompletionStage<Endpoint> get(String tenant, Caller caller, String endpointId) {
    return found(tenant, caller, endpointId).thenApply(WebhookEntity.Found::endpoint);
  }

  @Override
  public CompletionStage<Endpoint> remove(String tenant, Caller caller, String endpointId) {
    return guarded(caller)
        .thenCompose(
            x ->
                ask(
                    tenant,
                    replyTo -> new WebhookEntity.Remove(endpointId, caller.user(), replyTo),
                    WebhookEntity.Found.class))
        .thenApply(
            f -> {
              listeners.forget(tenant);
              return existing(f, endpointId).endpoint();
            });
  }

  @Override
  public CompletionStage<List<Delivery>> deliveries(
      String tenant, Caller caller, String endpointId) {
    return found(tenant, caller, endpointId).thenApply(f -> newestFirst(f.log())); // newest first
  }

  @Override
  public CompletionStage<Delivery> redeliver(
      String tenant, Caller caller, String endpointId, String eventId) {
    return guarded(caller)
        .thenCompose(
            x ->
                ask(
                    tenant,
                    replyTo ->
                        new WebhookEntity.Redeliver(endpointId, eventId, caller.user(), replyTo),
                    WebhookEntity.Found.class))
        .thenApply(
            f ->
                existing(f, endpointId).log().stream()
                    .filter(d -> d.event().eventId().equals(eventId))
                    .findFirst()
                    .orElseThrow(
                        () ->
                            new SessionRefused(
                                new Problem(
                                    Problem.Kind.NOT_FOUND,
                                    "delivery_not_found",
                                    "no delivery of event " + eventId + " in this endpoint's log",
                                    null))));
  }

  private CompletionStage<WebhookEntity.Found> found(
      String tenant, Caller caller, String endpointId) {
    return guarded(caller)
        .thenCompose(
            x ->
                ask(
                    tenant,
                    replyTo -> new WebhookEntity.Find(endpointId, replyTo),
                    WebhookEntity.Found.class))
        .thenApply(f -> existing(f, endpointId));
  }

  private static WebhookEntity.Found existing(WebhookEntity.Found f, String endpointId) {
    if (f.endpoint() == null) {
      throw new SessionRefused(
          new Problem(
              Problem.Kind.NOT_FOUND,
              "webhook_not_found",
              "webhook endpoint " + endpointId + " not found",
              null));
    }
    return f;
  }

  private CompletionStage<Void> guarded(Caller caller) {
    return operatorOnly(caller)
        .<CompletionStage<Void>>map(p -> CompletableFuture.failedFuture(new SessionRefused(p)))
        .orElseGet(() -> CompletableFuture.completedFuture(null));
  }

  private static Optional<Problem> operatorOnly(Caller caller) {
    return caller.operator()
        ? Optional.empty()
        : Optional.of(
            new Problem(
                Problem.Kind.FORBIDDEN,
                "role_missing",
                "webhook endpoints are managed by an operator",
                null));
  }

  private <R> CompletionStage<R> ask(
      String tenant,
      java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<R>, WebhookEntity.Command>
          command,
      Class<R> reply) {
    return Continuations.on(dispatcher, outbox(tenant).ask(command::apply, askTimeout()));
  }

  private Duration askTimeout() {
    return settings.askTimeout();
  }

  private EntityRef<WebhookEntity.Command> outbox(String tenant) {
    return sharding.entityRefFor(WebhookEntity.TYPE_KEY, tenant);
  }

  private static List<Delivery> newestFirst(List<Delivery> log) {
    List<Delivery> copy = new java.util.ArrayList<>(log);
    java.util.Collections.reverse(copy);
    return copy;
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
