package io.agentruntime.node;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import io.agentruntime.http.HttpApi;
import io.agentruntime.http.HttpServer;
import io.agentruntime.http.metrics.NodeMetrics;
import io.agentruntime.persistence.cassandra.CassandraReadiness;
import io.agentruntime.persistence.cassandra.CqlSessions;
import io.agentruntime.persistence.cassandra.ManagedCassandra;
import io.agentruntime.persistence.cassandra.ManagedCassandraSettings;
import io.agentruntime.persistence.directory.CassandraSessionDirectory;
import io.agentruntime.persistence.schema.SchemaMigrator;
import io.agentruntime.persistence.schema.SchemaSettings;
import io.agentruntime.runtime.model.ConfiguredModelProviders;
import io.agentruntime.runtime.session.SessionRuntime;
import io.agentruntime.runtime.session.Sessions;
import io.agentruntime.runtime.tools.RoutingToolExecutor;
import io.agentruntime.runtime.tools.Secrets;
import io.agentruntime.runtime.tools.ToolSettings;
import io.agentruntime.runtime.webhooks.Webhooks;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: (in dev) its managed Cassandra, the schema, the actor system in the cluster,
 * session sharding and the HTTP API. Started in that order and stopped in reverse by the actor
 * system's coordinated shutdown, which SIGTERM triggers.
 */
public final class Node {

  private static final Logger log = LoggerFactory.getLogger(Node.class);
  static final String SYSTEM_NAME = "agent-runtime";

  private final ActorSystem<Void> system;
  private final HttpServer http;
  private final String managementUri;
  private final Sessions sessions;

  private Node(ActorSystem<Void> system, HttpServer http, String managementUri, Sessions sessions) {
    this.system = system;
    this.http = http;
    this.managementUri = managementUri;
    this.sessions = sessions;
  }

  /**
   * Starts a node and returns once its HTTP API is bound. Blocking: call it from main().
   *
   * <p>What does not depend on each other starts side by side (decision 0060): the driver session
   * and the schema check on a thread of their own while the actor system starts and joins the
   * cluster, Pekko Management while the sessions and the HTTP API start. Sharding, and with it
   * every remembered session, starts only once the schema is there; the journal's own Cassandra
   * session starts connecting as soon as it is, before sharding asks for it.
   */
  public static Node start(Config config) {
    StartupPhases phases = new StartupPhases();
    NodeSettings settings = NodeSettings.fromConfig(config);
    // A secrets file in a format this version does not read stops the node before anything
    // starts, with a message naming the format (ADR 0019).
    Secrets.fromEnvironment(ToolSettings.fromConfig(config).secretsFile());
    Optional<ManagedCassandra> cassandra =
        settings.managedCassandra()
            ? Optional.of(ManagedCassandra.start(ManagedCassandraSettings.fromConfig(config)))
            : Optional.empty();
    phases.done("managed-cassandra");

    log.info(
        "Connecting to Cassandra at {}",
        config.getValue("agent-runtime.cassandra.contact-points").unwrapped());
    SchemaSettings schema = SchemaSettings.fromConfig(config);
    CompletableFuture<CqlSession> connected =
        connectAndMigrate(config, schema, settings.migrateOnStart(), phases);
    ActorSystem<Void> system = null;
    try {
      system =
          ActorSystem.create(
              Behaviors.empty(),
              SYSTEM_NAME,
              settings.remoteTls().map(tls -> tls.applyTo(config)).orElse(config));
      stopWithSystem(system, connected, cassandra);
      // From here coordinated shutdown stops Cassandra after sharding's last journal write.
      cassandra.ifPresent(ManagedCassandra::leaveStopToOwner);
      if (!settings.clusterBootstrap()) {
        ClusterMembership.join(system, settings.seedNodes());
      }
      phases.done("actor-system");
      CompletableFuture<Uri> management = startManagement(system, settings).toCompletableFuture();
      if (settings.clusterBootstrap()) {
        // Bootstrap probes the other nodes' management endpoints: it starts once ours answers.
        management.get(30, TimeUnit.SECONDS);
        KubernetesBootstrap.start(system);
      }

      RoutingToolExecutor tools =
          RoutingToolExecutor.create(
              ToolSettings.fromConfig(config),
              JacksonObjectMapperProvider.get(system)
                  .getOrCreate("agent-runtime-tools", Optional.empty()));
      NodeMetrics metrics = new NodeMetrics();
      // As long as the driver takes to connect (it waits for a Cassandra still starting).
      CqlSession cql = connected.get();
      // The journal's and snapshot store's plugins (and their own driver session) start now, on
      // the schema just checked, rather than when the first shard asks for them.
      Persistence.get(Adapter.toClassic(system));
      SessionRuntime runtime =
          SessionRuntime.of(
                  config,
                  new CassandraSessionDirectory(cql, schema.keyspace()),
                  ConfiguredModelProviders.fromConfig(config),
                  tools)
              .withMetrics(metrics);
      log.info("Model providers: {}", runtime.models().names());
      // After the sessions were handed off (cluster-sharding-shutdown-region): their calls in
      // flight land through these clients first (decision 0017).
      CoordinatedShutdown.get(system)
          .addTask(
              CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
              "close-tool-clients",
              () ->
                  CompletableFuture.supplyAsync(
                      () -> {
                        tools.close();
                        return Done.getInstance();
                      }));
      // The tenants' webhook outboxes, which the sessions hand their lifecycle changes to.
      Webhooks webhooks = Webhooks.start(system, runtime.clock());
      // ... and the live approvals feed of GET /v1/approvals/events (decision 0036).
      Sessions sessions =
          Sessions.start(
              system,
              runtime.withLifecycle(
                  io.agentruntime.runtime.session.LifecycleFeed.both(
                      webhooks, io.agentruntime.runtime.approvals.ApprovalFeed.get(system))));
      phases.done("sharding");
      HttpServer http =
          HttpApi.start(
                  system,
                  sessions,
                  webhooks,
                  readiness(system, CassandraReadiness.of(cql)),
                  metrics)
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      phases.done("http");
      Uri managementUri = management.get(30, TimeUnit.SECONDS);
      log.info(
          "Agent Runtime node {} serves HTTP on {}, management on {}; started in {}",
          Cluster.get(system).selfMember().address(),
          http.address(),
          managementUri,
          phases);
      return new Node(system, http, managementUri.toString(), sessions);
    } catch (Exception e) {
      if (system == null) {
        // Nothing will close the session or stop Cassandra with the system: do it here.
        connected.thenAccept(CqlSession::closeAsync);
      }
      cassandra.ifPresent(ManagedCassandra::stop);
      throw new IllegalStateException("the node failed to start: " + e.getMessage(), e);
    }
  }

  /**
   * Opens the driver session and, if asked, applies the schema, on a thread of its own: the actor
   * system starts meanwhile.
   */
  private static CompletableFuture<CqlSession> connectAndMigrate(
      Config config, SchemaSettings schema, boolean migrate, StartupPhases phases) {
    CompletableFuture<CqlSession> connected = new CompletableFuture<>();
    Thread connecting =
        new Thread(
            () -> {
              try {
                CqlSession cql = CqlSessions.open(config);
                try {
                  if (migrate) {
                    SchemaMigrator.create(schema).migrate(cql);
                  }
                } catch (RuntimeException e) {
                  cql.closeAsync();
                  throw e;
                }
                phases.done("cassandra-session");
                connected.complete(cql);
              } catch (Throwable e) {
                connected.completeExceptionally(e);
              }
            },
            "agent-runtime-cassandra-connect");
    connecting.setDaemon(true);
    connecting.start();
    return connected;
  }

  /** Starts Pekko Management, its write routes (leave, down) only when the settings allow them. */
  static CompletionStage<Uri> startManagement(ActorSystem<?> system, NodeSettings settings) {
    return PekkoManagement.get(system)
        .start(routes -> routes.withReadOnly(!settings.managementWriteRoutes()));
  }

  /** Ready when this node is an Up member of the cluster and the journal's store answers. */
  private static Supplier<CompletionStage<Boolean>> readiness(
      ActorSystem<?> system, CassandraReadiness store) {
    Cluster cluster = Cluster.get(system);
    return () ->
        cluster.selfMember().status() == MemberStatus.up()
            ? store.check()
            : CompletableFuture.completedFuture(false);
  }

  /**
   * Closes the driver session (once it is open, if it ever opens) and stops the managed Cassandra
   * once sharding and the HTTP server have stopped, so no journal write is cut off; Cassandra is
   * never left behind.
   */
  private static void stopWithSystem(
      ActorSystem<?> system,
      CompletableFuture<CqlSession> connected,
      Optional<ManagedCassandra> cassandra) {
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "stop-cassandra",
            () -> {
              // A session still connecting is closed once it opens; the stop does not wait for it.
              connected.thenAccept(CqlSession::closeAsync);
              CompletionStage<Void> closed =
                  connected.isDone()
                      ? connected.thenCompose(CqlSession::closeAsync)
                      : CompletableFuture.completedFuture(null);
              return closed
                  .handle((ok, error) -> Done.getInstance())
                  .thenCompose(
                      done ->
                          CompletableFuture.supplyAsync(
                              () -> {
                                cassandra.ifPresent(ManagedCassandra::stop);
                                return Done.getInstance();
                              }));
            });
  }

  public InetSocketAddress httpAddress() {
    return http.address();
  }

  /** Where Pekko Management answers (health, cluster members), e.g. http://127.0.0.1:8558. */
  public String managementUri() {
    return managementUri;
  }

  /** The sessions of this node, in process: for benchmarks that leave HTTP out. */
  Sessions sessions() {
    return sessions;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** Runs the coordinated shutdown and waits for it, at most {@code timeout}. */
  public void stop(Duration timeout) {
    system.terminate();
    try {
      system
          .getWhenTerminated()
          .toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("The node did not stop within {}", timeout, e);
    }
  }
}
