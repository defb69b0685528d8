package io.agentruntime.runtime.session;

import io.agentruntime.runtime.Continuations;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The tenants' monthly usage as this node reaches it (decision 0045): sessions report to the
 * tenant's {@link TenantUsageEntity} wherever it lives; the budget check reads a cache that is at
 * most {@code refresh} old and that each report's answer updates.
 */
final class TenantMonths {

  private record Cached(TenantUsage.Spent spent, long readAtNanos) {}

  private final ClusterSharding sharding;
  private final Executor dispatcher;
  private final Duration askTimeout;
  private final long refreshNanos;
  private final Clock clock;
  private final ActorSystem<?> system;
  private final Scheduler scheduler;
  private final long spacing;
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Outbox> outboxes = new ConcurrentHashMap<>();
  private final java.util.Set<String> refreshing = ConcurrentHashMap.newKeySet();

  TenantMonths(ActorSystem<?> system, Duration askTimeout, Duration refresh, Clock clock) {
    this.sharding = ClusterSharding.get(system);
    this.dispatcher = system.executionContext();
    this.askTimeout = askTimeout;
    this.refreshNanos = refresh.toNanos();
    this.clock = clock;
    this.system = system;
    this.scheduler = system.scheduler();
    // Half the refresh: a report reaches the tenant's month within it (decision 0045).
    this.spacing = refreshNanos / 2;
    sharding.init(
        Entity.of(TenantUsageEntity.TYPE_KEY, ctx -> TenantUsageEntity.create(ctx.getEntityId())));
  }

  /**
   * Hands {@code report} to the tenant's entity. Fire and forget for the session: a report lost on
   * the way is made good by the session's next one, or by the one it sends when it recovers (each
   * carries the cumulative usage). One {@code Count} per tenant is on the way from this node at a
   * time, and the next one leaves at least {@code spacing} after the one before; the reports that
   * come meanwhile wait, merged per session, and go as the next one. So a busy tenant costs its
   * entity at most one write per {@code spacing} from each node, whatever its turns per second (a
   * write per round trip cost the peer benchmark's single tenant a tenth of its CPU per turn).
   */
  void report(String tenant, TenantUsage.Report report) {
    Outbox outbox = outboxes.computeIfAbsent(tenant, t -> new Outbox(System.nanoTime() - spacing));
    long wait;
    synchronized (outbox) {
      outbox.waiting.merge(report.sessionId(), report, TenantMonths::merged);
      if (outbox.sending) {
        return;
      }
      outbox.sending = true;
      wait = outbox.sentAtNanos + spacing - System.nanoTime();
    }
    sendAfter(tenant, outbox, wait);
  }

  /** Sends what waits in {@code outbox} after {@code nanos} (at once when not positive). */
  private void sendAfter(String tenant, Outbox outbox, long nanos) {
    if (nanos <= 0) {
      send(tenant, outbox);
    } else {
      scheduler.scheduleOnce(
          Duration.ofNanos(nanos), () -> send(tenant, outbox), system.executionContext());
    }
  }

  private void send(String tenant, Outbox outbox) {
    List<TenantUsage.Report> reports;
    synchronized (outbox) {
      reports = outbox.drain();
      outbox.sentAtNanos = System.nanoTime();
    }
    long asked = System.nanoTime();
    entity(tenant)
        .<TenantUsage.Spent>ask(
            replyTo -> new TenantUsageEntity.Count(reports, replyTo), askTimeout)
        .whenComplete(
            (spent, failure) -> {
              if (spent != null) {
                remember(tenant, spent, asked);
              }
              long wait;
              synchronized (outbox) {
                if (outbox.waiting.isEmpty()) {
                  outbox.sending = false;
                  return;
                }
                wait = outbox.sentAtNanos + spacing - System.nanoTime();
              }
              sendAfter(tenant, outbox, wait);
            });
  }

  /**
   * Two reports of one session as one: from the first's {@code before} to the later's {@code after}
   * (the usage is cumulative, so what lies between is the session's too), at the later's time.
   */
  static TenantUsage.Report merged(TenantUsage.Report first, TenantUsage.Report later) {
    return new TenantUsage.Report(first.sessionId(), first.before(), later.after(), later.at());
  }

  /** A tenant's reports waiting on this node while one {@code Count} is on the way. */
  private static final class Outbox {
    private final Map<String, TenantUsage.Report> waiting = new LinkedHashMap<>();
    private boolean sending;
    private long sentAtNanos;

    private Outbox(long sentAtNanos) {
      this.sentAtNanos = sentAtNanos;
    }

    private List<TenantUsage.Report> drain() {
      List<TenantUsage.Report> reports = new ArrayList<>(waiting.values());
      waiting.clear();
      return reports;
    }
  }

  /**
   * What the tenant spent this month unless {@code fresh}: as cached, and when that is over {@code
   * refresh} old, read again in the background while the cached one answers (so a model call waits
   * for the tenant's entity only the first time the node needs the tenant's month, or a new month);
   * {@code fresh}: read now.
   */
  CompletionStage<TenantUsage.Spent> spent(String tenant, boolean fresh) {
    String month = TenantUsage.month(clock.instant());
    Cached cached = cache.get(tenant);
    if (!fresh && cached != null && cached.spent().month().equals(month)) {
      if (System.nanoTime() - cached.readAtNanos() >= refreshNanos && refreshing.add(tenant)) {
        read(tenant, month).whenComplete((read, failure) -> refreshing.remove(tenant));
      }
      return CompletableFuture.completedFuture(cached.spent());
    }
    return read(tenant, month);
  }

  private CompletionStage<TenantUsage.Spent> read(String tenant, String month) {
    long asked = System.nanoTime();
    return Continuations.on(
            dispatcher,
            entity(tenant)
                .<TenantUsage.Spent>ask(
                    replyTo -> new TenantUsageEntity.GetMonth(month, replyTo), askTimeout))
        .thenApply(read -> remember(tenant, read, asked));
  }

  /** Keeps what was read, unless something read later is kept already. */
  private TenantUsage.Spent remember(String tenant, TenantUsage.Spent spent, long askedNanos) {
    cache.merge(
        tenant,
        new Cached(spent, askedNanos),
        (old, fresh) ->
            old.spent().month().equals(fresh.spent().month())
                    && old.readAtNanos() - fresh.readAtNanos() > 0
                ? old
                : fresh);
    return spent;
  }

  private EntityRef<TenantUsageEntity.Command> entity(String tenant) {
    return sharding.entityRefFor(TenantUsageEntity.TYPE_KEY, tenant);
  }
}
