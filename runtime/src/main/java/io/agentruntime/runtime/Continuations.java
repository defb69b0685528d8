package io.agentruntime.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Where the next steps of a Pekko future run. A CompletionStage that Pekko makes from a Scala
 * future (an ask's answer, a stream's result) runs every stage added to it with a non-async method
 * ({@code thenApply}, {@code handle}, ...) on CompletableFuture's default executor; with 2 cores
 * that is a new thread for every such stage, because the common pool then has a parallelism of 1
 * (decision 0010). {@link #on} hands the outcome to a plain CompletableFuture on the given executor
 * (the actor system's dispatcher), so that what follows runs there.
 */
public final class Continuations {

  private Continuations() {}

  public static <T> CompletableFuture<T> on(Executor executor, CompletionStage<T> stage) {
    CompletableFuture<T> plain = new CompletableFuture<>();
    stage.whenCompleteAsync(
        (value, failure) -> {
          if (failure != null) {
            plain.completeExceptionally(failure);
          } else {
            plain.complete(value);
          }
        },
        executor);
    return plain;
  }
}
