package io.agentruntime.runtime.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.agentruntime.runtime.Continuations;
import io.agentruntime.runtime.session.Ids;
import io.agentruntime.runtime.session.OutcomeUnknown;
import io.agentruntime.runtime.session.Problem;
import io.agentruntime.runtime.session.SessionRefused;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * The tenants' saved agents, as this node reaches them: every call goes to the tenant's {@link
 * AgentCatalogEntity} wherever it lives (decision 0026). A refusal fails the stage with {@link
 * SessionRefused}; an agent over {@code max-agent-bytes} is refused before anything is asked.
 */
public final class AgentCatalog {

  /** Settings under {@code agent-runtime.agents}. */
  public record Settings(int maxPerTenant, int maxAgentBytes, long pageBytes) {
    public static Settings fromConfig(Config root) {
      Config c = root.getConfig("agent-runtime.agents");
      return new Settings(
          c.getInt("max-per-tenant"),
          (int) c.getBytes("max-agent-bytes").longValue(),
          c.getBytes("page-bytes"));
    }
  }

  private final ActorSystem<?> system;
  private final Executor dispatcher;
  private final Duration askTimeout;
  private final Settings settings;
  private final Clock clock;

  private AgentCatalog(ActorSystem<?> system, Settings settings, Duration askTimeout, Clock clock) {
    this.system = system;
    this.dispatcher = system.executionContext();
    this.askTimeout = askTimeout;
    this.settings = settings;
    this.clock = clock;
  }

  /** The catalogs of this node; sharding for them starts now. */
  public static AgentCatalog start(ActorSystem<?> system, Duration askTimeout, Clock clock) {
    AgentCatalog catalog = lazy(system, askTimeout, clock);
    catalog.sharding();
    return catalog;
  }

  /**
   * The catalogs of this node, whose sharding starts at the first call (an API served without a
   * cluster, as in route tests with a stub, never starts it). Every node that serves {@code
   * /v1/agents} hosts catalogs once it has been asked; starting it twice is harmless.
   */
  public static AgentCatalog lazy(ActorSystem<?> system, Duration askTimeout, Clock clock) {
    return new AgentCatalog(
        system, Settings.fromConfig(system.settings().config()), askTimeout, clock);
  }

  private volatile ClusterSharding sharding;

  private ClusterSharding sharding() {
    ClusterSharding started = sharding;
    if (started == null) {
      started = ClusterSharding.get(system);
      started.init(
          Entity.of(
              AgentCatalogEntity.TYPE_KEY,
              ctx ->
                  AgentCatalogEntity.create(
                      ctx.getEntityId(), clock, settings.maxPerTenant(), settings.pageBytes())));
      sharding = started;
    }
    return started;
  }

  public Settings settings() {
    return settings;
  }

  /** Saves a new agent of {@code body} under a fresh id ({@code agent_...}). */
  public CompletionStage<SavedAgent> create(String tenant, String user, JsonNode body) {
    return checked(body)
        .thenCompose(
            ok -> {
              var now = clock.instant();
              SavedAgent agent = new SavedAgent(Ids.newId("agent_"), body, now, now);
              return written(
                  found(ask(tenant, r -> new AgentCatalogEntity.Create(agent, user, r))),
                  "agent create",
                  () ->
                      lookUp(tenant, agent.id())
                          .thenApply(
                              a -> a.filter(held -> held.updatedAt().equals(agent.updatedAt()))));
            });
  }

  /** Replaces agent {@code id}'s body, keeping when it was made. */
  public CompletionStage<SavedAgent> replace(
      String tenant, String user, SavedAgent before, JsonNode body) {
    return checked(body)
        .thenCompose(
            ok -> {
              SavedAgent agent =
                  new SavedAgent(before.id(), body, before.createdAt(), clock.instant());
              return written(
                  found(ask(tenant, r -> new AgentCatalogEntity.Replace(agent, user, r))),
                  "agent update",
                  () ->
                      lookUp(tenant, agent.id())
                          .thenApply(
                              a -> a.filter(held -> held.updatedAt().equals(agent.updatedAt()))));
            });
  }

  public CompletionStage<SavedAgent> get(String tenant, String id) {
    return found(ask(tenant, r -> new AgentCatalogEntity.Get(id, r)));
  }

  public CompletionStage<AgentReply.Listed> page(
      String tenant, String after, int limit, boolean newestFirst) {
    return ask(tenant, r -> new AgentCatalogEntity.Page(after, limit, newestFirst, r))
        .thenApply(reply -> (AgentReply.Listed) unwrap(reply));
  }

  public CompletionStage<String> delete(String tenant, String user, String id) {
    return written(
        ask(tenant, r -> new AgentCatalogEntity.Delete(id, user, r))
            .thenApply(reply -> ((AgentReply.Deleted) unwrap(reply)).id()),
        "agent delete",
        () -> lookUp(tenant, id).thenApply(a -> a.isEmpty() ? Optional.of(id) : Optional.empty()));
  }

  /**
   * A write whose ask timed out may still have been journaled (a write reported failed after it
   * landed, or one that landed late): {@code lookUp} reads the catalog once; what it finds done is
   * the answer, anything else is {@link OutcomeUnknown}, never "nothing was accepted" (decision
   * 0034): the SDKs retry that, and a create repeated is a second agent.
   */
  private static <T> CompletionStage<T> written(
      CompletionStage<T> asked, String what, Supplier<CompletionStage<Optional<T>>> lookUp) {
    return asked.exceptionallyCompose(
        failure -> {
          Throwable cause = failure instanceof CompletionException c ? c.getCause() : failure;
          if (!(cause instanceof TimeoutException)) {
            return CompletableFuture.failedFuture(cause);
          }
          return lookUp
              .get()
              .handle(
                  (done, lookUpFailure) -> {
                    if (done != null && done.isPresent()) {
                      return done.get();
                    }
                    throw new OutcomeUnknown(what + " not confirmed in time", cause);
                  });
        });
  }

  /** The agent as the catalog holds it now, or empty when it holds none of that id. */
  private CompletionStage<Optional<SavedAgent>> lookUp(String tenant, String id) {
    return ask(tenant, r -> new AgentCatalogEntity.Get(id, r))
        .thenApply(
            reply ->
                reply instanceof AgentReply.Found f ? Optional.of(f.agent()) : Optional.empty());
  }

  private CompletionStage<Void> checked(JsonNode body) {
    int bytes = body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (bytes > settings.maxAgentBytes()) {
      return CompletableFuture.failedFuture(
          new SessionRefused(
              new Problem(
                  Problem.Kind.TOO_LARGE,
                  "too_large",
                  "the agent is over the limit of " + settings.maxAgentBytes() + " bytes",
                  null)));
    }
    return CompletableFuture.completedFuture(null);
  }

  private CompletionStage<SavedAgent> found(CompletionStage<AgentReply> reply) {
    return reply.thenApply(r -> ((AgentReply.Found) unwrap(r)).agent());
  }

  private static AgentReply unwrap(AgentReply reply) {
    if (reply instanceof AgentReply.Refused refused) {
      throw new SessionRefused(refused.problem());
    }
    return reply;
  }

  private CompletionStage<AgentReply> ask(
      String tenant, Function<ActorRef<AgentReply>, AgentCatalogEntity.Command> command) {
    return Continuations.on(
        dispatcher,
        sharding()
            .entityRefFor(AgentCatalogEntity.TYPE_KEY, tenant)
            .<AgentReply>ask(command::apply, askTimeout));
  }
}
