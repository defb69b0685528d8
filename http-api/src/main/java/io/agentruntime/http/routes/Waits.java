package io.agentruntime.http.routes;

import io.agentruntime.http.auth.KeySlots;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.error.ApiError;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** A request that waits for a turn holds one of its API key's waiting slots while it waits. */
final class Waits {

  private Waits() {}

  static <T> CompletionStage<T> holding(
      KeySlots waits, Principal principal, Supplier<CompletionStage<T>> waiting) {
    return waits.holding(
        principal.keyId(),
        () ->
            ApiError.tooManyOpen(
                "too_many_waiters",
                "this API key has as many requests waiting for turns as it may; retry later or"
                    + " without waitSeconds"),
        waiting);
  }
}
