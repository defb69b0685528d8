package io.agentruntime.http;

import static org.apache.pekko.http.javadsl.server.Directives.concat;

import io.agentruntime.http.auth.ApiKeys;
import io.agentruntime.http.auth.Authenticator;
import io.agentruntime.http.auth.RateLimiter;
import io.agentruntime.http.error.ErrorMapper;
import io.agentruntime.http.metrics.MetricsRoutes;
import io.agentruntime.http.metrics.NodeMetrics;
import io.agentruntime.http.request.RequestScope;
import io.agentruntime.http.routes.ApiRoutes;
import io.agentruntime.http.routes.HealthRoutes;
import io.agentruntime.runtime.session.SessionService;
import io.agentruntime.runtime.webhooks.WebhookService;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The HTTP API in one call. A node starts it with {@code HttpApi.start(system, sessions, webhooks,
 * readiness, metrics)}; {@code readiness} says whether the node may take traffic (e.g. it is an Up
 * cluster member and reaches the journal).
 */
public final class HttpApi {

  private HttpApi() {}

  /**
   * Reads {@code agent-runtime.http}, builds the routes and binds them; {@code /metrics} serves
   * {@code metrics}, which the node's session entities report to as well.
   */
  public static CompletionStage<HttpServer> start(
      ActorSystem<?> system,
      SessionService sessions,
      WebhookService webhooks,
      Supplier<CompletionStage<Boolean>> readiness,
      NodeMetrics metrics) {
    HttpSettings settings = HttpSettings.fromConfig(system.settings().config());
    return HttpServer.start(
        system, routes(system, sessions, webhooks, settings, readiness, metrics), settings);
  }

  /**
   * As {@link #routes(ActorSystem, SessionService, HttpSettings, Supplier, NodeMetrics)}, with
   * metrics of its own.
   */
  public static Route routes(
      ActorSystem<?> system,
      SessionService sessions,
      HttpSettings settings,
      Supplier<CompletionStage<Boolean>> readiness) {
    return routes(system, sessions, settings, readiness, new NodeMetrics());
  }

  /**
   * Every route of the API, with request ids, the request log and the error body around them. Loads
   * the API keys now; the keys file is checked for changes (at most every {@code
   * keys-reload-interval}) on the blocking-I/O dispatcher.
   */
  public static Route routes(
      ActorSystem<?> system,
      SessionService sessions,
      HttpSettings settings,
      Supplier<CompletionStage<Boolean>> readiness,
      NodeMetrics metrics) {
    return routes(system, sessions, WebhookService.unavailable(), settings, readiness, metrics);
  }

  /** As above, with the node's webhooks under {@code /v1/webhooks}. */
  public static Route routes(
      ActorSystem<?> system,
      SessionService sessions,
      WebhookService webhooks,
      HttpSettings settings,
      Supplier<CompletionStage<Boolean>> readiness,
      NodeMetrics metrics) {
    ApiKeys keys =
        ApiKeys.fromSettings(settings, system.dispatchers().lookup(DispatcherSelector.blocking()));
    Authenticator auth =
        new Authenticator(
            keys, new RateLimiter(settings.rateLimitPerSecond(), settings.rateLimitBurst()));
    ErrorMapper errors = new ErrorMapper(settings.retryAfter(), settings.maxBodyBytes());
    RequestScope scope = new RequestScope(errors, settings.requestTimeout(), metrics);
    Route api =
        new ApiRoutes(
                system,
                sessions,
                webhooks,
                settings,
                auth,
                new HealthRoutes(readiness, settings.readinessTimeout()),
                errors.exceptionHandler())
            .routes();
    Route scraped = new MetricsRoutes(metrics).routes();
    return scope.around(() -> concat(scraped, api));
  }
}
