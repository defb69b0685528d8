package io.agentruntime.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ways a start fails, each with a message that says what to do; no Cassandra needed. */
class ManagedCassandraTest {

  @TempDir Path dir;

  @Test
  void withoutTheCassandraJarsTheStartSaysWhereToPointIt() throws IOException {
    ManagedCassandraSettings s =
        SettingsFixture.settings(dir).withPorts(freePort(), freePort(), freePort());

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> ManagedCassandra.start(s));

    assertTrue(e.getMessage().contains("no cassandra-all jar in " + s.libDir()), e.getMessage());
    assertTrue(e.getMessage().contains("agent-runtime.cassandra.lib-dir"), e.getMessage());
  }

  @Test
  void aNodeThatExitsAtOnceFailsTheStartWithTheEndOfItsLog() throws IOException {
    Path lib = Files.createDirectories(dir.resolve("lib"));
    Files.createFile(lib.resolve("cassandra-all-5.0.9.jar"));
    ManagedCassandraSettings settings =
        SettingsFixture.settings(dir).withPorts(freePort(), freePort(), freePort());
    // A "java" that prints a line and exits stands in for a Cassandra that cannot start.
    Path fakeJava = dir.resolve("java");
    Files.writeString(
        fakeJava,
        "#!/bin/sh\necho 'Exception (java.lang.RuntimeException) encountered during startup'\nexit 3\n");
    assertTrue(fakeJava.toFile().setExecutable(true));
    ManagedCassandraSettings s =
        new ManagedCassandraSettings(
            settings.host(),
            List.of(),
            settings.nativePort(),
            settings.storagePort(),
            settings.sslStoragePort(),
            settings.dataDir(),
            settings.libDir(),
            fakeJava,
            settings.heapMin(),
            settings.heapMax(),
            settings.startTimeout(),
            settings.stopTimeout(),
            settings.commitlogSyncPeriod(),
            false,
            "");

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> ManagedCassandra.start(s));

    assertTrue(e.getMessage().contains("exited before serving CQL"), e.getMessage());
    assertTrue(e.getMessage().contains("encountered during startup"), e.getMessage());
    assertFalse(Files.exists(s.pidFile()), "no pid file left for a node that never ran");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
