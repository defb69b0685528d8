package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `agent-runtime dev` as a newcomer runs it: it starts its own Cassandra, comes back after a kill
 * -9 with no clean-up, and SIGTERM leaves no process behind.
 */
class DevProcessIntegrationTest {

  @TempDir Path home;

  @Test
  void devModeRestartsAfterACrashAndStopsEverythingOnSigterm() throws Exception {
    Map<String, String> env =
        Map.of("AGENT_RUNTIME_CASSANDRA_PORT", Integer.toString(NodeProcess.freePort()));
    List<String> props =
        List.of(
            "-Dagent-runtime.cassandra.managed.storage-port=" + NodeProcess.freePort(),
            "-Dagent-runtime.cassandra.managed.ssl-storage-port=" + NodeProcess.freePort());
    Path pidFile = home.resolve("cassandra").resolve("cassandra.pid");

    NodeProcess first = NodeProcess.start("dev", home, env, props);
    first.awaitReady(Duration.ofSeconds(120));
    HttpClientSupport dev = new HttpClientSupport(first.baseUrl(), "dev-key");
    assertEquals(201, dev.put("/v1/sessions/notes", "{}").statusCode());
    assertEquals(200, dev.put("/v1/sessions/notes/memory/todo", "\"ship it\"").statusCode());
    long cassandraPid = Long.parseLong(Files.readString(pidFile).strip());
    first.kill();
    assertTrue(alive(cassandraPid), "Cassandra outlives a runtime killed with -9");

    NodeProcess second = NodeProcess.start("dev", home, env, props);
    second.awaitReady(Duration.ofSeconds(120));
    assertEquals(
        cassandraPid,
        Long.parseLong(Files.readString(pidFile).strip()),
        "the orphan is adopted, not doubled");
    HttpClientSupport again = new HttpClientSupport(second.baseUrl(), "dev-key");
    assertEquals("{\"todo\":\"ship it\"}", again.get("/v1/sessions/notes/memory").body());

    second.terminate(Duration.ofSeconds(90));
    assertFalse(alive(cassandraPid), "SIGTERM stops the managed Cassandra too:\n" + second.tail());
  }

  @Test
  void sigtermWhileStartingStopsTheManagedCassandraToo(@TempDir Path otherHome) throws Exception {
    Map<String, String> env =
        Map.of("AGENT_RUNTIME_CASSANDRA_PORT", Integer.toString(NodeProcess.freePort()));
    List<String> props =
        List.of(
            "-Dagent-runtime.cassandra.managed.storage-port=" + NodeProcess.freePort(),
            "-Dagent-runtime.cassandra.managed.ssl-storage-port=" + NodeProcess.freePort());
    Path pidFile = otherHome.resolve("cassandra").resolve("cassandra.pid");

    NodeProcess starting = NodeProcess.start("dev", otherHome, env, props);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Cassandra did not start:\n" + starting.tail());
      }
      Thread.sleep(50);
    }
    long cassandraPid = Long.parseLong(Files.readString(pidFile).strip());
    starting.terminate(Duration.ofSeconds(60));

    long gone = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (alive(cassandraPid) && System.nanoTime() < gone) {
      Thread.sleep(100);
    }
    assertFalse(
        alive(cassandraPid),
        "a node stopped while starting leaves no Cassandra behind:\n" + starting.tail());
  }

  private static boolean alive(long pid) {
    Optional<ProcessHandle> p = ProcessHandle.of(pid);
    return p.isPresent() && p.get().isAlive();
  }
}
