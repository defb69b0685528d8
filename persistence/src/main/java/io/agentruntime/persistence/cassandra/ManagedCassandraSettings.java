package io.agentruntime.persistence.cassandra;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How to run one local Cassandra node as a child process. Each node of a local multi-node setup has
 * its own host (127.0.0.1, 127.0.0.2 ...), data dir and seeds list.
 *
 * @param seeds "host" or "host:storagePort" of the seeds; empty means this node alone
 * @param commitlogSyncPeriod how often the commit log is synced: a write acknowledged less than
 *     this long before Cassandra is killed (-9, or a power loss) is lost on a single node
 * @param testMode trades durability of Cassandra's system tables for speed (tests only)
 * @param foundingToken empty, or the token of a founding member of a new multi-node cluster: the
 *     node takes this token and joins without bootstrapping (there is no data to stream yet), so
 *     the nodes of a new cluster can start at once and the ring is balanced
 */
public record ManagedCassandraSettings(
    String host,
    List<String> seeds,
    int nativePort,
    int storagePort,
    int sslStoragePort,
    Path dataDir,
    Path libDir,
    Path javaExecutable,
    String heapMin,
    String heapMax,
    Duration startTimeout,
    Duration stopTimeout,
    Duration commitlogSyncPeriod,
    boolean testMode,
    String foundingToken) {

  public static final String CONFIG_PATH = "agent-runtime.cassandra.managed";

  /** Used when this JVM is not a Java 17: Cassandra 5.0 refuses to start on newer ones. */
  static final Path DEBIAN_JAVA_17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");

  public ManagedCassandraSettings {
    seeds = List.copyOf(seeds);
    // Absolute paths: the data dir is matched against a running process's command line.
    dataDir = dataDir.toAbsolutePath().normalize();
    libDir = libDir.toAbsolutePath().normalize();
  }

  /** Reads {@value #CONFIG_PATH}; defaults come from this module's reference.conf. */
  public static ManagedCassandraSettings fromConfig(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    String java = c.getString("java-executable");
    return new ManagedCassandraSettings(
        c.getString("host"),
        c.getStringList("seeds"),
        c.getInt("native-port"),
        c.getInt("storage-port"),
        c.getInt("ssl-storage-port"),
        Path.of(c.getString("data-dir")),
        Path.of(c.getString("lib-dir")),
        java.isBlank() ? defaultJavaExecutable() : Path.of(java),
        c.getString("heap-min"),
        c.getString("heap-max"),
        c.getDuration("start-timeout"),
        c.getDuration("stop-timeout"),
        c.getDuration("commitlog-sync-period"),
        c.getBoolean("test-mode"),
        c.getString("founding-token"));
  }

  public ManagedCassandraSettings withPorts(int nativePort, int storagePort, int sslStoragePort) {
    return new ManagedCassandraSettings(
        host,
        seeds,
        nativePort,
        storagePort,
        sslStoragePort,
        dataDir,
        libDir,
        javaExecutable,
        heapMin,
        heapMax,
        startTimeout,
        stopTimeout,
        commitlogSyncPeriod,
        testMode,
        foundingToken);
  }

  public ManagedCassandraSettings withDataDir(Path dataDir) {
    return new ManagedCassandraSettings(
        host,
        seeds,
        nativePort,
        storagePort,
        sslStoragePort,
        dataDir,
        libDir,
        javaExecutable,
        heapMin,
        heapMax,
        startTimeout,
        stopTimeout,
        commitlogSyncPeriod,
        testMode,
        foundingToken);
  }

  public ManagedCassandraSettings withLibDir(Path libDir) {
    return new ManagedCassandraSettings(
        host,
        seeds,
        nativePort,
        storagePort,
        sslStoragePort,
        dataDir,
        libDir,
        javaExecutable,
        heapMin,
        heapMax,
        startTimeout,
        stopTimeout,
        commitlogSyncPeriod,
        testMode,
        foundingToken);
  }

  public ManagedCassandraSettings withCommitlogSyncPeriod(Duration commitlogSyncPeriod) {
    return new ManagedCassandraSettings(
        host,
        seeds,
        nativePort,
        storagePort,
        sslStoragePort,
        dataDir,
        libDir,
        javaExecutable,
        heapMin,
        heapMax,
        startTimeout,
        stopTimeout,
        commitlogSyncPeriod,
        testMode,
        foundingToken);
  }

  public ManagedCassandraSettings withTestMode(boolean testMode) {
    return new ManagedCassandraSettings(
        host,
        seeds,
        nativePort,
        storagePort,
        sslStoragePort,
        dataDir,
        libDir,
        javaExecutable,
        heapMin,
        heapMax,
        startTimeout,
        stopTimeout,
        commitlogSyncPeriod,
        testMode,
        foundingToken);
  }

  /**
   * The same node at another address, with these seeds, as a founding member holding {@code token}.
   */
  public ManagedCassandraSettings asFoundingMember(String host, List<String> seeds, String token) {
    return new ManagedCassandraSettings(
        host,
        seeds,
        nativePort,
        storagePort,
        sslStoragePort,
        dataDir,
        libDir,
        javaExecutable,
        heapMin,
        heapMax,
        startTimeout,
        stopTimeout,
        commitlogSyncPeriod,
        testMode,
        token);
  }

  /** The seeds as Cassandra's SimpleSeedProvider reads them: this node alone when none are set. */
  public List<String> effectiveSeeds() {
    return seeds.isEmpty() ? List.of(host + ":" + storagePort) : seeds;
  }

  public Path pidFile() {
    return dataDir.resolve("cassandra.pid");
  }

  public Path logFile() {
    return dataDir.resolve("logs").resolve("cassandra.log");
  }

  public Path yamlFile() {
    return dataDir.resolve("conf").resolve("cassandra.yaml");
  }

  /** This JVM when it is a 17, else the Debian Java 17. */
  static Path defaultJavaExecutable() {
    Path own = Path.of(System.getProperty("java.home"), "bin", "java");
    return Runtime.version().feature() == 17 && Files.isExecutable(own) ? own : DEBIAN_JAVA_17;
  }
}
