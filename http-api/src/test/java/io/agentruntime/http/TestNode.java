package io.agentruntime.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.http.metrics.NodeMetrics;
import io.agentruntime.runtime.directory.InMemorySessionDirectory;
import io.agentruntime.runtime.model.ConfiguredModelProviders;
import io.agentruntime.runtime.session.SessionRuntime;
import io.agentruntime.runtime.session.Sessions;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.webhooks.Webhooks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;

/**
 * A single-node cluster with the in-memory journal and directory and the agent loop of {@link
 * TestRuntime}, serving the API on a free port with a keys file of two tenants. Most test classes
 * share one ({@link #shared()}); a test that needs other settings starts its own.
 */
final class TestNode implements AutoCloseable {

  private static TestNode shared;

  final ActorSystem<Void> system;
  final Sessions sessions;
  final Webhooks webhooks;
  final HttpSettings settings;
  final HttpServer server;
  final Api api;
  final Path keysFile;
  final AtomicBoolean ready = new AtomicBoolean(true);
  final NodeMetrics metrics = new NodeMetrics();

  static synchronized TestNode shared() {
    if (shared == null) {
      shared = start("");
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
    }
    return shared;
  }

  /** A node whose config is {@code overrides} over the test defaults. */
  static TestNode start(String overrides) {
    return start(overrides, TestRuntime::of);
  }

  /**
   * A node whose config is {@code overrides} over the test defaults, running the sessions of {@code
   * runtime} (made from that config): say, with the node's real tool executor.
   */
  static TestNode start(String overrides, Function<Config, SessionRuntime> runtime) {
    try {
      return new TestNode(overrides, runtime);
    } catch (Exception e) {
      throw new IllegalStateException("test node did not start", e);
    }
  }

  /**
   * A node whose idle sessions passivate after a second, snapshotting on the way out (the schedule
   * and passivation suites); {@code overrides} add settings.
   */
  static TestNode passivatingAfterASecond(String overrides) {
    return start(
        "agent-runtime.turns.idle-timeout = 1s\n"
            + "agent-runtime.session.snapshot-on-passivation-min-events = 1\n"
            + overrides);
  }

  /**
   * Prices of the default model for budget tests: 1000 USD per million input tokens and 2000 per
   * million output, so a reply of 40 tokens in and 20 out costs 0.04 + 0.04 = 0.08 USD.
   */
  static final String PRICED_MODEL =
      "agent-runtime.models.default.price { input-per-million = 1000, output-per-million = 2000 }\n";

  /**
   * A node whose default model is {@code model}, an OpenAI-compatible server over real HTTP, with
   * the in-memory directory and no tools; {@code overrides} add settings (say, {@link
   * #PRICED_MODEL}).
   */
  static TestNode overModel(FakeOpenAiServer model, String overrides) {
    return start(
        "agent-runtime.models.default.base-url = \""
            + model.baseUrl()
            + "\"\nagent-runtime.models.default.model = fake-model\n"
            + overrides,
        config ->
            SessionRuntime.of(
                config,
                new InMemorySessionDirectory(),
                ConfiguredModelProviders.fromConfig(config),
                new NoTools()));
  }

  private TestNode(String overrides, Function<Config, SessionRuntime> runtime) throws Exception {
    Path dir = Files.createTempDirectory("http-api-test");
    keysFile = dir.resolve("keys.json");
    TestKeys.write(keysFile, TestKeys.ALL);
    Config config = config(overrides, keysFile);
    system = ActorSystem.create(Behaviors.empty(), "http-api-test", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    SessionRuntime sessionRuntime = runtime.apply(config).withMetrics(metrics);
    webhooks = Webhooks.start(system, sessionRuntime.clock());
    sessions =
        Sessions.start(
            system,
            sessionRuntime.withLifecycle(
                io.agentruntime.runtime.session.LifecycleFeed.both(
                    webhooks, io.agentruntime.runtime.approvals.ApprovalFeed.get(system))));
    settings = HttpSettings.fromConfig(config);
    server =
        HttpServer.start(
                system,
                HttpApi.routes(
                    system,
                    sessions,
                    webhooks,
                    settings,
                    () ->
                        CompletableFuture.completedFuture(
                            ready.get() && cluster.selfMember().status() == MemberStatus.up()),
                    metrics),
                settings)
            .toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
    api = new Api(server.address());
    awaitUp(cluster, Duration.ofSeconds(20));
  }

  /**
   * The test defaults: in-memory journal and snapshots (never Cassandra), a free port, the keys
   * file.
   */
  static Config config(String overrides, Path keysFile) {
    return ConfigFactory.load(
        ConfigFactory.parseString(overrides)
            .withFallback(
                ConfigFactory.parseString(
                    """
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = "127.0.0.1"
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
            pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            agent-runtime.http.host = "127.0.0.1"
            agent-runtime.http.port = 0
            agent-runtime.http.keys-reload-interval = 200ms
            agent-runtime.http.rate-limit.per-second = 0
            agent-runtime.http.cluster-operator-tenants = "globex"
            agent-runtime.session.events.read-journal = "pekko.persistence.testkit.query"
            agent-runtime.http.events.keep-alive = 1s
            agent-runtime.session.events.resubscribe-interval = 1s
            # A fixed vault key for tests only (docs/vaults.md).
            agent-runtime.vault.key = "dGVzdC1vbmx5LXZhdWx0LWtleS0zMi1ieXRlcy0hISE="
            agent-runtime.webhooks.secret-key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
            agent-runtime.webhooks.max-endpoints-per-tenant = 500
            # the shared node's tenants gather agents from every test class
            agent-runtime.agents.max-per-tenant = 100000
            """))
            .withFallback(
                ConfigFactory.parseMap(
                    java.util.Map.of("agent-runtime.http.keys-file", keysFile.toString())))
            .withFallback(PersistenceTestKitPlugin.getInstance().config())
            .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config()));
  }

  private static void awaitUp(Cluster cluster, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the node did not join itself");
      }
      Thread.sleep(50);
    }
  }

  /**
   * Another server on this node's system and sessions, with its own HTTP settings: {@code
   * overrides} over the test defaults, {@code keysFile} as its keys file. The caller stops it.
   */
  HttpServer serve(String overrides, Path keysFile) throws Exception {
    HttpSettings other = HttpSettings.fromConfig(config(overrides, keysFile));
    return HttpServer.start(
            system,
            HttpApi.routes(system, sessions, other, () -> CompletableFuture.completedFuture(true)),
            other)
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  /** A session id no other test uses. */
  static String newId(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Override
  public void close() {
    try {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // the system's termination closes what is left
    }
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // best effort at the end of a test run
    }
  }
}
