package io.agentruntime.http;

import io.agentruntime.http.error.UnparsableRequestHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.javadsl.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.duration.FiniteDuration;

/**
 * The bound HTTP server. Binds the routes on the configured host and port with the API's body limit
 * and timeouts, and joins coordinated shutdown: the port is unbound first, then requests in flight
 * get the termination deadline to finish before connections are closed.
 */
public final class HttpServer {

  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private final ServerBinding binding;
  private final Duration terminationDeadline;

  private HttpServer(ServerBinding binding, Duration terminationDeadline) {
    this.binding = binding;
    this.terminationDeadline = terminationDeadline;
  }

  public static CompletionStage<HttpServer> start(
      ActorSystem<?> system, Route route, HttpSettings settings) {
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .withSettings(serverSettings(system, settings))
        .bindFlow(handlerFlow(system, route, settings))
        .thenApply(
            binding -> {
              HttpServer server = new HttpServer(binding, settings.terminationDeadline());
              server.joinCoordinatedShutdown(system);
              log.info("HTTP API listening on {}", binding.localAddress());
              return server;
            });
  }

  /**
   * The routes run for each connection's requests, as {@code bind(route)} would run them, with the
   * connection's end told to each request ({@link ClientConnection}).
   */
  private static Flow<HttpRequest, HttpResponse, NotUsed> handlerFlow(
      ActorSystem<?> system, Route route, HttpSettings settings) {
    Function<HttpRequest, CompletionStage<HttpResponse>> handler = route.handler(system);
    int parallelism = serverSettings(system, settings).getPipeliningLimit();
    return Flow.of(HttpRequest.class).via(new ClientConnection()).mapAsync(parallelism, handler);
  }

  /** Where the server listens (with the actual port when the configured one was 0). */
  public InetSocketAddress address() {
    return binding.localAddress();
  }

  /** Unbinds and closes connections, giving requests in flight the termination deadline. */
  public CompletionStage<Done> stop() {
    return binding.terminate(terminationDeadline).thenApply(terminated -> Done.getInstance());
  }

  private void joinCoordinatedShutdown(ActorSystem<?> system) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "http-api-unbind", binding::unbind);
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceRequestsDone(), "http-api-terminate", this::stop);
  }

  private static ServerSettings serverSettings(ActorSystem<?> system, HttpSettings settings) {
    ServerSettings base = ServerSettings.create(system.settings().config());
    return base.withParsingErrorHandler(UnparsableRequestHandler.class.getName())
        .withParserSettings(base.getParserSettings().withMaxContentLength(settings.maxBodyBytes()))
        .withTimeouts(
            base.getTimeouts()
                .withRequestTimeout(finite(settings.requestTimeout()))
                .withIdleTimeout(finite(settings.idleTimeout())));
  }

  private static FiniteDuration finite(Duration d) {
    return FiniteDuration.create(d.toMillis(), TimeUnit.MILLISECONDS);
  }
}
