package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.json.Json;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /health/alive} (the process answers) and {@code /health/ready} (the node's readiness check
 * says yes within the readiness timeout; 503 otherwise). No key needed.
 */
public final class HealthRoutes {

  private final Supplier<CompletionStage<Boolean>> readiness;
  private final Duration timeout;

  public HealthRoutes(Supplier<CompletionStage<Boolean>> readiness, Duration timeout) {
    this.readiness = readiness;
    this.timeout = timeout;
  }

  public Route routes() {
    return pathPrefix(
        "health",
        () ->
            concat(
                path(
                    "alive",
                    () ->
                        get(
                            () ->
                                complete(
                                    Json.response(StatusCodes.OK, Map.of("status", "alive"))))),
                path(
                    "ready",
                    () ->
                        get(
                            () ->
                                completeWithFuture(
                                    ready()
                                        .thenApply(
                                            ready -> {
                                              if (!ready) {
                                                throw new ApiError(
                                                    StatusCodes.SERVICE_UNAVAILABLE,
                                                    "not_ready",
                                                    "the node is not ready");
                                              }
                                              return Json.response(
                                                  StatusCodes.OK, Map.of("status", "ready"));
                                            }))))));
  }

  private CompletionStage<Boolean> ready() {
    CompletionStage<Boolean> check;
    try {
      check = readiness.get();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(false);
    }
    return check
        .toCompletableFuture()
        .copy()
        .completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(failure -> false);
  }
}
