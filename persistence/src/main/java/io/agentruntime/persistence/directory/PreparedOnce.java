package io.agentruntime.persistence.directory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Statements prepared once, on first use; a failed preparation (Cassandra not up yet, say) is
 * retried by the next call instead of failing every call for good.
 */
final class PreparedOnce<T> {

  private final Supplier<CompletionStage<T>> prepare;
  private final AtomicReference<CompletableFuture<T>> prepared = new AtomicReference<>();

  PreparedOnce(Supplier<CompletionStage<T>> prepare) {
    this.prepare = prepare;
  }

  CompletionStage<T> get() {
    CompletableFuture<T> current = prepared.get();
    if (current != null && !current.isCompletedExceptionally()) {
      return current;
    }
    CompletableFuture<T> fresh = new CompletableFuture<>();
    if (!prepared.compareAndSet(current, fresh)) {
      return prepared.get();
    }
    prepare
        .get()
        .whenComplete(
            (st, e) -> {
              if (e == null) {
                fresh.complete(st);
              } else {
                fresh.completeExceptionally(e);
              }
            });
    return fresh;
  }
}
