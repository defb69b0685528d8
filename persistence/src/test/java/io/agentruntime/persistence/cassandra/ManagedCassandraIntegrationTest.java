package io.agentruntime.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.agentruntime.persistence.testing.TestCassandra;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The life of a managed node, on a node of its own (not the shared one) since it kills it: adopted
 * after its runtime died, never doubled, restarted after kill -9, stopped for good.
 */
class ManagedCassandraIntegrationTest {

  private static final Duration PROBE = Duration.ofSeconds(1);
  private static final Duration SYNC_PERIOD = Duration.ofMillis(100);

  /**
   * Not in test mode: that mode does not make schema changes durable, and a kill -9 would lose
   * them.
   */
  private final ManagedCassandraSettings settings =
      TestCassandra.nodeSettings(Path.of("target/lifecycle-cassandra"), 19142, 17100, 17101)
          .withTestMode(false)
          .withCommitlogSyncPeriod(SYNC_PERIOD);

  @AfterEach
  void leaveNoProcessBehind() {
    NodeProcesses.runningFromDataDir(settings)
        .ifPresent(
            p -> {
              p.destroyForcibly();
              p.onExit().join();
            });
  }

  @BeforeEach
  void startFromAnEmptyDataDir() throws IOException {
    leaveNoProcessBehind();
    if (Files.exists(settings.dataDir())) {
      try (Stream<Path> paths = Files.walk(settings.dataDir())) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  @Test
  void aNodeOutlivesItsRuntimeIsAdoptedNeverDoubledSurvivesKill9AndStops() throws Exception {
    // A runtime JVM starts the node, then dies by kill -9; its Cassandra child lives on.
    long beforeStart = System.nanoTime();
    long orphan = startInAnotherJvmAndKillThatJvm();
    System.out.printf(
        "cold start in another JVM: %d ms%n", (System.nanoTime() - beforeStart) / 1_000_000);
    assertTrue(
        ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false),
        "Cassandra outlived its runtime");

    // The next runtime adopts it instead of starting a second one.
    ManagedCassandra adopted = ManagedCassandra.start(settings);
    assertTrue(adopted.owned());
    assertEquals(orphan, adopted.pid());

    ManagedCassandra again = ManagedCassandra.start(settings);
    assertEquals(orphan, again.pid());
    assertEquals(1, cassandraProcessesOf(settings), "never doubled");

    // Something else serving CQL on the port is reused, and not ours to stop.
    ManagedCassandra foreign =
        ManagedCassandra.start(settings.withDataDir(Path.of("target/lifecycle-other")));
    assertFalse(foreign.owned());
    assertEquals(-1, foreign.pid());
    foreign.stop();
    assertTrue(CqlProbe.answers(settings.host(), settings.nativePort(), PROBE));

    writeARow();
    // Replay stops at the last commit log sync: give the periodic sync time to cover the write.
    Thread.sleep(SYNC_PERIOD.multipliedBy(5).toMillis());

    // kill -9 of Cassandra itself: a start replays the commit log, with no clean-up by hand.
    ProcessHandle.of(orphan).orElseThrow().destroyForcibly();
    ProcessHandle.of(orphan).ifPresent(p -> p.onExit().join());
    long beforeRestart = System.nanoTime();
    ManagedCassandra restarted = ManagedCassandra.start(settings);
    System.out.printf(
        "restart after kill -9: %d ms%n", (System.nanoTime() - beforeRestart) / 1_000_000);
    assertTrue(restarted.owned());
    assertNotEquals(orphan, restarted.pid());
    assertEquals("survived", readTheRow(), "the write acknowledged before kill -9 is still there");

    long pid = restarted.pid();
    long beforeStop = System.nanoTime();
    restarted.stop();
    System.out.printf("stop: %d ms%n", (System.nanoTime() - beforeStop) / 1_000_000);
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process gone");
    assertFalse(Files.exists(settings.pidFile()), "pid file removed");
    assertFalse(CqlProbe.answers(settings.host(), settings.nativePort(), PROBE), "port closed");
    restarted.stop(); // idempotent
  }

  private long startInAnotherJvmAndKillThatJvm() throws IOException, InterruptedException {
    Process runtime =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    "-Dagent-runtime.cassandra.lib-dir=" + settings.libDir(),
                    StartNodeMain.class.getName(),
                    settings.dataDir().toString(),
                    Integer.toString(settings.nativePort()),
                    Integer.toString(settings.storagePort()),
                    Integer.toString(settings.sslStoragePort()),
                    Long.toString(settings.commitlogSyncPeriod().toMillis())))
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(runtime.getInputStream()))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith("READY ")) {
          runtime.destroyForcibly(); // SIGKILL: no shutdown hook, no clean stop
          runtime.waitFor(10, TimeUnit.SECONDS);
          return Long.parseLong(line.substring("READY ".length()).strip());
        }
      }
    } finally {
      runtime.destroyForcibly();
    }
    throw new IllegalStateException("the runtime JVM ended without starting Cassandra");
  }

  private static long cassandraProcessesOf(ManagedCassandraSettings s) {
    return ProcessHandle.allProcesses()
        .filter(p -> NodeProcesses.isCassandraOf(NodeProcesses.commandLine(p), s))
        .count();
  }

  private void writeARow() {
    try (CqlSession session = TestCassandra.openSession(settings.host(), settings.nativePort())) {
      session.setSchemaMetadataEnabled(false); // saves a debounced metadata refresh per statement
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS lifecycle WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
      session.execute("CREATE TABLE IF NOT EXISTS lifecycle.kv (k text PRIMARY KEY, v text)");
      session.execute("INSERT INTO lifecycle.kv (k, v) VALUES ('k', 'survived')");
    }
  }

  private String readTheRow() {
    try (CqlSession session = TestCassandra.openSession(settings.host(), settings.nativePort())) {
      return session.execute("SELECT v FROM lifecycle.kv WHERE k = 'k'").one().getString("v");
    }
  }
}
