package io.agentruntime.http.auth;

import io.agentruntime.http.error.ApiError;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Long-lived requests of each API key open on this node (requests waiting for a turn, or event
 * streams), up to {@code max} per key; 0 means no limit. A slot is taken when such a request starts
 * and given back when it ends, whatever the outcome.
 */
public final class KeySlots {

  private final int max;
  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<Runnable>> probes = new ConcurrentHashMap<>();

  public KeySlots(int max) {
    this.max = max;
  }

  /** Takes a slot for {@code keyId}; false (and nothing taken) when the key holds all of them. */
  public boolean tryTake(String keyId) {
    if (max <= 0) {
      return true;
    }
    boolean[] taken = new boolean[1];
    open.compute(
        keyId,
        (k, n) -> {
          int now = n == null ? 0 : n;
          taken[0] = now < max;
          return taken[0] ? now + 1 : now;
        });
    return taken[0];
  }

  /** Takes a slot whether or not the key is over its limit (checked before with {@link #full}). */
  public void take(String keyId) {
    if (max > 0) {
      open.merge(keyId, 1, Integer::sum);
    }
  }

  public void give(String keyId) {
    if (max > 0) {
      open.computeIfPresent(keyId, (k, n) -> n <= 1 ? null : n - 1);
    }
  }

  /**
   * Registers {@code probe}, which makes one of {@code keyId}'s holders show whether its client is
   * still there (an event stream writes a comment: a client gone makes the write fail, which ends
   * the stream and gives its slot back). Returns what unregisters it.
   */
  public Runnable watch(String keyId, Runnable probe) {
    probes.computeIfAbsent(keyId, k -> ConcurrentHashMap.newKeySet()).add(probe);
    return () ->
        probes.computeIfPresent(
            keyId,
            (k, set) -> {
              set.remove(probe);
              return set.isEmpty() ? null : set;
            });
  }

  /** Runs the probes of {@code keyId}'s holders (see {@link #watch}). */
  public void probe(String keyId) {
    Set<Runnable> watched = probes.get(keyId);
    if (watched != null) {
      watched.forEach(Runnable::run);
    }
  }

  /** Whether {@code keyId} holds every slot it may. */
  public boolean full(String keyId) {
    return max > 0 && open.getOrDefault(keyId, 0) >= max;
  }

  /**
   * Runs {@code work} holding a slot of {@code keyId} until it completes; throws {@code refusal}
   * when the key has no slot left.
   */
  public <T> CompletionStage<T> holding(
      String keyId, Supplier<ApiError> refusal, Supplier<CompletionStage<T>> work) {
    if (!tryTake(keyId)) {
      throw refusal.get();
    }
    CompletionStage<T> running;
    try {
      running = work.get();
    } catch (RuntimeException e) {
      give(keyId);
      throw e;
    }
    return running.whenComplete((result, failure) -> give(keyId));
  }
}
