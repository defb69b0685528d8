package io.agentruntime.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Several managed Cassandra nodes forming one cluster on this machine: node {@code i} listens on
 * 127.0.0.{i+1} with the same ports as the others and its own data dir ({@code
 * <dataDir>/node<i+1>}), the first node is the seed, and the tokens split the ring evenly. For
 * tests and demos of replication (RF 3 with QUORUM survives the loss of one node); production runs
 * its own cluster.
 */
public final class ManagedCassandraCluster implements AutoCloseable {

  /** Where the start-up probe writes; the application's keyspaces are its own business. */
  private static final String PROBE_KEYSPACE = "managed_cluster_probe";

  private final List<ManagedCassandraSettings> settings;
  private final List<ManagedCassandra> nodes;

  private ManagedCassandraCluster(
      List<ManagedCassandraSettings> settings, List<ManagedCassandra> nodes) {
    this.settings = List.copyOf(settings);
    this.nodes = new ArrayList<>(nodes);
  }

  /**
   * Starts {@code size} nodes shaped like {@code template} (ports, heap, lib dir; its data dir is
   * the parent of theirs): the seed first, the others together once it serves CQL.
   */
  public static ManagedCassandraCluster start(ManagedCassandraSettings template, int size) {
    List<ManagedCassandraSettings> members = members(template, size);
    List<ManagedCassandra> started = new ArrayList<>();
    try {
      started.add(ManagedCassandra.start(members.get(0)));
      List<CompletableFuture<ManagedCassandra>> others =
          members.subList(1, size).stream()
              .map(s -> CompletableFuture.supplyAsync(() -> ManagedCassandra.start(s)))
              .toList();
      for (CompletableFuture<ManagedCassandra> other : others) {
        started.add(other.join());
      }
      awaitRing(members, template.startTimeout());
      return new ManagedCassandraCluster(members, started);
    } catch (RuntimeException e) {
      started.forEach(ManagedCassandra::stop);
      throw e;
    }
  }

  /**
   * Serving CQL is not yet being part of the ring: a node sees its peers alive a moment later.
   * Waits until a write at consistency ALL succeeds with each node as the coordinator.
   */
  private static void awaitRing(List<ManagedCassandraSettings> members, Duration timeout) {
    ManagedCassandraSettings seed = members.get(0);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (CqlSession cql = CqlSessions.open(seed.host(), seed.nativePort())) {
      // Schema changes on nodes that have just started can take longer than a request's 2 s.
      patiently(
          deadline,
          timeout,
          "create the probe keyspace",
          () ->
              ddl(
                  cql,
                  "CREATE KEYSPACE IF NOT EXISTS "
                      + PROBE_KEYSPACE
                      + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': "
                      + members.size()
                      + "}"));
      patiently(
          deadline,
          timeout,
          "create the probe table",
          () ->
              ddl(
                  cql,
                  "CREATE TABLE IF NOT EXISTS " + PROBE_KEYSPACE + ".probe (id int PRIMARY KEY)"));
      for (ManagedCassandraSettings member : members) {
        patiently(
            deadline,
            timeout,
            "write at ALL through " + member.host() + " (the nodes did not all see each other)",
            () -> writesAtAll(cql, member.host()));
      }
    }
  }

  private static void patiently(
      long deadline, Duration timeout, String step, BooleanSupplier attempt) {
    while (!attempt.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the Cassandra ring was not ready within " + timeout + ": could not " + step);
      }
      sleep(200);
    }
  }

  private static boolean ddl(CqlSession cql, String statement) {
    try {
      cql.execute(SimpleStatement.newInstance(statement).setTimeout(Duration.ofSeconds(20)));
      return true;
    } catch (DriverException notYet) {
      return false;
    }
  }

  /** Whether a write at ALL succeeds with the node at {@code host} as its coordinator. */
  private static boolean writesAtAll(CqlSession cql, String host) {
    Optional<Node> coordinator =
        cql.getMetadata().getNodes().values().stream()
            .filter(
                n ->
                    n.getBroadcastRpcAddress()
                        .map(a -> a.getAddress().getHostAddress().equals(host))
                        .orElse(false))
            .findFirst();
    if (coordinator.isEmpty()) {
      return false; // the driver has not learned of it yet
    }
    try {
      cql.execute(
          SimpleStatement.newInstance("INSERT INTO " + PROBE_KEYSPACE + ".probe (id) VALUES (1)")
              .setConsistencyLevel(DefaultConsistencyLevel.ALL)
              .setTimeout(Duration.ofSeconds(10))
              .setNode(coordinator.get()));
      return true;
    } catch (DriverException notYet) {
      return false;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the Cassandra ring", e);
    }
  }

  /**
   * The settings of each member: addresses 127.0.0.1.., evenly spread tokens, the first as seed.
   */
  static List<ManagedCassandraSettings> members(ManagedCassandraSettings template, int size) {
    if (size < 1 || size > 9) {
      throw new IllegalArgumentException("a local cluster has 1 to 9 nodes, not " + size);
    }
    String seed = "127.0.0.1:" + template.storagePort();
    List<ManagedCassandraSettings> members = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      members.add(
          template
              .withDataDir(template.dataDir().resolve("node" + (i + 1)))
              .asFoundingMember("127.0.0." + (i + 1), List.of(seed), token(i, size)));
    }
    return members;
  }

  /** Murmur3 tokens i * 2^64 / size - 2^63: the ring cut in equal parts. */
  static String token(int i, int size) {
    BigInteger ring = BigInteger.TWO.pow(64);
    return ring.multiply(BigInteger.valueOf(i))
        .divide(BigInteger.valueOf(size))
        .subtract(BigInteger.TWO.pow(63))
        .toString();
  }

  public int size() {
    return nodes.size();
  }

  public ManagedCassandra node(int i) {
    return nodes.get(i);
  }

  /** "host:port" of every member, comma-separated: the driver's contact points. */
  public String contactPoints() {
    return settings.stream()
        .map(s -> s.host() + ":" + s.nativePort())
        .collect(Collectors.joining(","));
  }

  /** kill -9 of member {@code i}: no flush, no goodbye to its peers. */
  public void kill(int i) {
    ProcessHandle.of(nodes.get(i).pid())
        .ifPresent(
            p -> {
              p.destroyForcibly();
              p.onExit().join();
            });
  }

  /**
   * Starts member {@code i} again on its data (after {@link #kill}); it replays its commit log and
   * rejoins.
   */
  public ManagedCassandra restart(int i) {
    ManagedCassandra again = ManagedCassandra.start(settings.get(i));
    nodes.set(i, again);
    return again;
  }

  @Override
  public void close() {
    nodes.forEach(ManagedCassandra::stop);
  }
}
