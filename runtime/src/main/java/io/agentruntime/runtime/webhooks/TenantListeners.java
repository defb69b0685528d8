package io.agentruntime.runtime.webhooks;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this node last learned of whether a tenant has any webhook endpoint, good for {@code
 * recheckNanos}. It lets a session's change skip the hand-off to its tenant's outbox when nobody
 * listens (most tenants, most of the time): without it, every status change of every session costs
 * an ask to a sharded entity. An endpoint registered or removed through this node is seen at once;
 * through another node, within the recheck (decision 0027).
 */
final class TenantListeners {

  private record Known(boolean listening, long until) {}

  private final long recheckNanos;
  private final ConcurrentHashMap<String, Known> known = new ConcurrentHashMap<>();

  TenantListeners(long recheckNanos) {
    this.recheckNanos = recheckNanos;
  }

  /**
   * Whether {@code tenant} has an endpoint, if learned less than the recheck before {@code now}.
   */
  Optional<Boolean> listening(String tenant, long nowNanos) {
    Known k = known.get(tenant);
    return k == null || nowNanos - k.until() >= 0 ? Optional.empty() : Optional.of(k.listening());
  }

  void learned(String tenant, boolean listening, long nowNanos) {
    known.put(tenant, new Known(listening, nowNanos + recheckNanos));
  }

  /** The tenant's endpoints changed through this node: ask again before the next change. */
  void forget(String tenant) {
    known.remove(tenant);
  }
}
