package io.agentruntime.runtime.session;

import io.agentruntime.runtime.Continuations;
import io.agentruntime.runtime.ratelimits.RateLimit;
import io.agentruntime.runtime.ratelimits.RateLimitHit;
import io.agentruntime.runtime.ratelimits.ToolCallCounters;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.japi.function.Function;

/**
 * The tenants' policies, as this node reaches them: reads and changes go to the tenant's {@link
 * TenantPolicyEntity} wherever it lives; the sessions of this node read the ceiling through a cache
 * that is at most {@code refresh} old, and that a change made through this node updates at once
 * (decision 0018).
 */
public final class TenantPolicies implements TenantCeilings {

  private record Cached(TenantPolicy policy, long readAtNanos) {}

  private final ClusterSharding sharding;
  private final Executor dispatcher;
  private final Duration askTimeout;
  private final long refreshNanos;
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CompletableFuture<TenantPolicy>> reading =
      new ConcurrentHashMap<>();
  private final SessionValidation validation;
  private final ToolCallCounters counters;
  private final TenantMonths months;

  private TenantPolicies(
      ActorSystem<?> system,
      SessionSettings settings,
      Duration refresh,
      Clock clock,
      ToolCallCounters counters) {
    this.counters = counters;
    this.sharding = ClusterSharding.get(system);
    this.dispatcher = system.executionContext();
    this.askTimeout = settings.askTimeout();
    this.refreshNanos = refresh.toNanos();
    this.validation = new SessionValidation(settings);
    this.months = new TenantMonths(system, settings.askTimeout(), refresh, clock);
  }

  /** Starts sharding for the tenant policy entities (and the tools' counters) on this node. */
  public static TenantPolicies start(
      ActorSystem<?> system, SessionSettings settings, Duration refresh, Clock clock) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                TenantPolicyEntity.TYPE_KEY,
                ctx -> TenantPolicyEntity.create(ctx.getEntityId(), clock)));
    return new TenantPolicies(
        system,
        settings,
        refresh,
        clock,
        ToolCallCounters.start(system, settings.askTimeout(), clock));
  }

  @Override
  public CompletionStage<TenantMonth> month(String tenant, boolean fresh) {
    CompletionStage<TenantPolicy> policy = fresh ? read(tenant) : ceiling(tenant);
    return policy.thenCompose(
        p -> {
          if (!fresh && !p.budgets().tokensLimited() && !p.budgets().costLimited()) {
            // No monthly budget: a model call waits for nothing more than the policy.
            return CompletableFuture.completedFuture(
                new TenantMonth(p.budgets(), TenantUsage.Spent.NONE));
          }
          return months
              .spent(tenant, fresh)
              .thenApply(spent -> new TenantMonth(p.budgets(), spent));
        });
  }

  @Override
  public void counted(String tenant, TenantUsage.Report report) {
    months.report(tenant, report);
  }

  /**
   * Raises the tenant's monthly {@code budget} to at least {@code value} (decision 0045); refused
   * (FORBIDDEN) unless {@code caller} is an operator. This node's sessions see it at once.
   */
  public CompletionStage<TenantPolicy> raiseBudget(
      String tenant, Caller caller, String budget, java.math.BigDecimal value) {
    if (!caller.operator()) {
      return CompletableFuture.failedFuture(new SessionRefused(Budgets.operatorOnly(budget)));
    }
    return ask(
        tenant,
        replyTo -> new TenantPolicyEntity.RaiseBudget(budget, value, caller.user(), replyTo));
  }

  @Override
  public CompletionStage<TenantPolicy> ceiling(String tenant) {
    Cached cached = cache.get(tenant);
    if (cached != null && System.nanoTime() - cached.readAtNanos() < refreshNanos) {
      return CompletableFuture.completedFuture(cached.policy());
    }
    return readOnce(tenant);
  }

  /**
   * One read of the tenant's policy at a time on this node: every session that finds the entry
   * stale while a read is on its way waits for that read instead of asking again. Without it, a
   * burst (10,000 scheduled sessions waking in a second) sent the tenant's entity one ask each and
   * overflowed its stash. A joined read was asked at most one ask timeout before: the ADR 0042
   * bound gains that at most.
   */
  private CompletionStage<TenantPolicy> readOnce(String tenant) {
    CompletableFuture<TenantPolicy> mine = new CompletableFuture<>();
    CompletableFuture<TenantPolicy> running = reading.putIfAbsent(tenant, mine);
    if (running != null) {
      return running;
    }
    read(tenant)
        .whenComplete(
            (policy, failure) -> {
              reading.remove(tenant, mine);
              if (failure != null) {
                mine.completeExceptionally(failure);
              } else {
                mine.complete(policy);
              }
            });
    return mine;
  }

  /**
   * The tool's limit is read from the ceiling (cached, so a tool without one costs no hop); a tool
   * with one asks its counter. A policy or counter that cannot be read holds the call for a human;
   * a call a human approved over the limit then runs uncounted rather than ask again.
   */
  @Override
  public CompletionStage<Optional<RateLimitHit>> slot(
      String tenant, String tool, String callKey, BooleanSupplier approvedOverLimit) {
    return ceiling(tenant)
        .thenCompose(
            policy -> {
              RateLimit limit = policy.rateLimits().get(tool);
              if (limit == null) {
                return CompletableFuture.completedFuture(Optional.<RateLimitHit>empty());
              }
              boolean force = approvedOverLimit.getAsBoolean();
              return counters
                  .claim(tenant, tool, callKey, limit, force)
                  .exceptionally(
                      failure ->
                          force
                              ? Optional.empty() // a human said run it: it runs, uncounted
                              : Optional.of(
                                  RateLimitHit.countUnread(
                                      limit.windows().get(0).name(),
                                      limit.windows().get(0).limit())));
            })
        .exceptionally(failure -> Optional.of(RateLimitHit.policyUnread()));
  }

  /** The tenant's policy as it is journaled now; any principal of the tenant may read it. */
  public CompletionStage<TenantPolicy> get(String tenant, Caller caller) {
    return read(tenant);
  }

  /** Replaces the tenant's policy; refused (FORBIDDEN) unless {@code caller} is an operator. */
  public CompletionStage<TenantPolicy> replace(String tenant, Caller caller, TenantPolicy policy) {
    if (!caller.operator()) {
      return CompletableFuture.failedFuture(
          new SessionRefused(
              new Problem(
                  Problem.Kind.FORBIDDEN,
                  "role_missing",
                  "the tenant's policy is set by an operator",
                  null)));
    }
    Optional<Problem> invalid = validation.permissions(policy.tools(), "tools");
    if (invalid.isPresent()) {
      return CompletableFuture.failedFuture(new SessionRefused(invalid.get()));
    }
    return ask(tenant, replyTo -> new TenantPolicyEntity.Replace(policy, caller.user(), replyTo));
  }

  /**
   * Suspends or resumes the tenant (decision 0042); refused (FORBIDDEN) unless {@code caller} is an
   * operator. This node's sessions see it at once, the other nodes' within {@code refresh}.
   */
  public CompletionStage<TenantPolicy> setSuspended(
      String tenant, Caller caller, boolean suspended) {
    if (!caller.operator()) {
      return CompletableFuture.failedFuture(
          new SessionRefused(
              new Problem(
                  Problem.Kind.FORBIDDEN,
                  "role_missing",
                  "a tenant is suspended and resumed by an operator",
                  null)));
    }
    return ask(
        tenant, replyTo -> new TenantPolicyEntity.SetSuspended(suspended, caller.user(), replyTo));
  }

  private CompletionStage<TenantPolicy> read(String tenant) {
    return ask(tenant, TenantPolicyEntity.Get::new);
  }

  /**
   * Asks the tenant's entity (a read or a change); the policy it answers is kept as of when it was
   * asked.
   */
  private CompletionStage<TenantPolicy> ask(
      String tenant, Function<ActorRef<TenantPolicy>, TenantPolicyEntity.Command> command) {
    long asked = System.nanoTime();
    return Continuations.on(dispatcher, entity(tenant).<TenantPolicy>ask(command, askTimeout))
        .thenApply(answered -> remember(tenant, answered, asked));
  }

  /** Keeps what was read, unless something read or written later is kept already. */
  private TenantPolicy remember(String tenant, TenantPolicy policy, long askedNanos) {
    cache.merge(
        tenant,
        new Cached(policy, askedNanos),
        (old, fresh) -> old.readAtNanos() - fresh.readAtNanos() > 0 ? old : fresh);
    return policy;
  }

  private EntityRef<TenantPolicyEntity.Command> entity(String tenant) {
    return sharding.entityRefFor(TenantPolicyEntity.TYPE_KEY, tenant);
  }
}
