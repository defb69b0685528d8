package io.agentruntime.persistence.testing;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.persistence.cassandra.CassandraEndpoints;
import io.agentruntime.persistence.cassandra.CqlSessions;
import io.agentruntime.persistence.cassandra.ManagedCassandra;
import io.agentruntime.persistence.cassandra.ManagedCassandraSettings;
import io.agentruntime.persistence.schema.SchemaMigrator;
import io.agentruntime.persistence.schema.SchemaSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The one real Cassandra node that the integration tests of a JVM share (shipped in the persistence
 * test-jar for the other modules' tests). The first {@link #get()} starts it, or reuses one already
 * serving the test port; a shutdown hook stops it only if this JVM started it. Tests isolate
 * themselves with a keyspace of their own: {@link #createKeyspace(String)}.
 *
 * <p>System properties: {@code agent-runtime.test.cassandra.native-port} (19042), {@code
 * .storage-port} (17000), {@code .ssl-storage-port} (17001), {@code .dir} (data dir, default
 * target/test-cassandra), and {@code agent-runtime.cassandra.lib-dir} (the Cassandra jars; found by
 * walking up to persistence/cassandra-dist/target/lib when unset).
 */
public final class TestCassandra {

  private static final String PREFIX = "agent-runtime.test.cassandra.";
  private static final AtomicInteger KEYSPACES = new AtomicInteger();
  private static TestCassandra instance;

  private final ManagedCassandra node;
  private CqlSession session;

  private TestCassandra(ManagedCassandra node) {
    this.node = node;
  }

  /** The shared node, started on first use. Blocking (a cold start takes a few seconds). */
  public static synchronized TestCassandra get() {
    if (instance == null) {
      Path dataDir = Path.of(System.getProperty(PREFIX + "dir", "target/test-cassandra"));
      ManagedCassandraSettings settings =
          nodeSettings(
              dataDir,
              Integer.getInteger(PREFIX + "native-port", 19042),
              Integer.getInteger(PREFIX + "storage-port", 17000),
              Integer.getInteger(PREFIX + "ssl-storage-port", 17001));
      if (!ManagedCassandra.isRunning(settings)) {
        deleteRecursively(
            settings.dataDir()); // a fresh node per test run: no keyspaces of old runs
      }
      TestCassandra started = new TestCassandra(ManagedCassandra.start(settings));
      Runtime.getRuntime().addShutdownHook(new Thread(started::shutdown, "test-cassandra-stop"));
      instance = started;
    }
    return instance;
  }

  /**
   * Settings of a test node of one's own (for tests that kill or restart Cassandra): test mode, the
   * Cassandra jars found as for the shared node.
   */
  public static ManagedCassandraSettings nodeSettings(
      Path dataDir, int nativePort, int storagePort, int sslStoragePort) {
    return ManagedCassandraSettings.fromConfig(ConfigFactory.load())
        .withDataDir(dataDir)
        .withLibDir(libDir())
        .withPorts(nativePort, storagePort, sslStoragePort)
        .withTestMode(true);
  }

  public ManagedCassandra node() {
    return node;
  }

  public String host() {
    return node.host();
  }

  public int nativePort() {
    return node.nativePort();
  }

  /** "host:port" for the driver. */
  public String contactPoint() {
    return node.contactPoint();
  }

  /** A session shared by the tests of this JVM; do not close it. */
  public synchronized CqlSession session() {
    if (session == null) {
      session = openSession(host(), nativePort());
    }
    return session;
  }

  /**
   * A session of a test's own, to any test node: closing it takes milliseconds instead of the
   * driver's default two-second quiet period.
   */
  public static CqlSession openSession(String host, int port) {
    Config driver =
        ConfigFactory.parseString(
                "advanced.netty.io-group.shutdown.quiet-period = 0\n"
                    + "advanced.netty.admin-group.shutdown.quiet-period = 0\n")
            .withFallback(ConfigFactory.defaultReference().getConfig("datastax-java-driver"));
    return CqlSessions.openAsync(driver, CassandraEndpoints.of(host, port))
        .toCompletableFuture()
        .join();
  }

  /** A new keyspace with the whole versioned schema applied. */
  public String createKeyspace(String prefix) {
    String keyspace = uniqueKeyspaceName(prefix);
    SchemaMigrator.create(SchemaSettings.singleNode(keyspace)).migrate(session());
    return keyspace;
  }

  /** A keyspace name no other test (of this run or an earlier one on the same node) has used. */
  public static String uniqueKeyspaceName(String prefix) {
    String clean = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    String base = clean.isEmpty() || !Character.isLetter(clean.charAt(0)) ? "t_" + clean : clean;
    String suffix =
        "_"
            + Long.toString(System.currentTimeMillis(), 36)
            + "_"
            + ProcessHandle.current().pid()
            + "_"
            + KEYSPACES.incrementAndGet();
    return base.substring(0, Math.min(base.length(), 48 - suffix.length())) + suffix;
  }

  /**
   * The agent-runtime.cassandra settings that point a node's configuration (for instance one that
   * includes agent-runtime-cassandra.conf) at this Cassandra and keyspace; use it as an override.
   */
  public Config config(String keyspace) {
    return ConfigFactory.parseMap(
        Map.of(
            "agent-runtime.cassandra.keyspace", keyspace,
            "agent-runtime.cassandra.contact-points", List.of(contactPoint()),
            "agent-runtime.cassandra.managed.native-port", nativePort()));
  }

  private synchronized void shutdown() {
    if (session != null) {
      session.close();
    }
    node.stop();
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear the test Cassandra data dir " + dir, e);
    }
  }

  private static Path libDir() {
    Optional<String> configured =
        Optional.ofNullable(System.getProperty("agent-runtime.cassandra.lib-dir"))
            .or(() -> Optional.ofNullable(System.getenv("AGENT_RUNTIME_CASSANDRA_LIB")))
            .filter(s -> !s.isBlank());
    if (configured.isPresent()) {
      return Path.of(configured.get());
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      for (Path candidate :
          List.of(
              dir.resolve("persistence/cassandra-dist/target/lib"),
              dir.resolve("cassandra-dist/target/lib"))) {
        if (Files.isDirectory(candidate)) {
          return candidate;
        }
      }
    }
    throw new IllegalStateException(
        "Cassandra jars not found: build persistence/cassandra-dist or set -Dagent-runtime.cassandra.lib-dir");
  }
}
