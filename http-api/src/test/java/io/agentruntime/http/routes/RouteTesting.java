package io.agentruntime.http.routes;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.http.HttpApi;
import io.agentruntime.http.HttpSettings;
import io.agentruntime.runtime.session.Caller;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.RouteResult;
import org.apache.pekko.http.javadsl.testkit.RouteTest;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SystemMaterializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import scala.concurrent.Future;

/**
 * Route tests with Pekko HTTP's route testkit on JUnit 5 (its 1.3.0 release ships only a JUnit 4
 * base): the whole API, as a node serves it (authentication, request ids, error mapping, the node
 * header), over a {@link StubSessions} instead of the cluster. Requests carry the dev key: tenant
 * {@code dev}, user {@code dev}, every role.
 */
abstract class RouteTesting extends RouteTest {

  static final Caller DEV = new Caller("dev", true, true);

  private static final Config CONFIG =
      ConfigFactory.load(
          ConfigFactory.parseString(
              """
              agent-runtime.http.dev-key-enabled = on
              agent-runtime.http.rate-limit.per-second = 0
              pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
              pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
              """));

  private static ActorSystem<Void> typed;

  /** A fresh stub for every test (JUnit makes an instance per test). */
  final StubSessions sessions = new StubSessions();

  @BeforeAll
  static void startSystem() {
    typed = ActorSystem.create(Behaviors.empty(), "route-test", CONFIG);
  }

  @AfterAll
  static void stopSystem() throws Exception {
    typed.terminate();
    typed.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The API's routes over the stub. */
  TestRoute api() {
    return testRoute(
        HttpApi.routes(
            typed,
            sessions,
            HttpSettings.fromConfig(CONFIG),
            () -> CompletableFuture.completedFuture(true)));
  }

  /** {@code request} with the dev key. */
  static HttpRequest keyed(HttpRequest request) {
    return request.addHeader(RawHeader.create("Authorization", "Bearer dev-key"));
  }

  @Override
  public org.apache.pekko.actor.ActorSystem system() {
    return Adapter.toClassic(typed);
  }

  @Override
  public Materializer materializer() {
    return SystemMaterializer.get(typed).materializer();
  }

  @Override
  public TestRouteResult createTestRouteResultAsync(
      HttpRequest request, Future<RouteResult> result) {
    return new TestRouteResult(result, awaitDuration(), system().dispatcher(), materializer()) {
      @Override
      public void assertEquals(Object expected, Object actual, String message) {
        Assertions.assertEquals(expected, actual, message);
      }

      @Override
      public void assertEquals(int expected, int actual, String message) {
        Assertions.assertEquals(expected, actual, message);
      }

      @Override
      public void assertTrue(boolean predicate, String message) {
        Assertions.assertTrue(predicate, message);
      }

      @Override
      public void fail(String message) {
        Assertions.fail(message);
      }
    };
  }
}
