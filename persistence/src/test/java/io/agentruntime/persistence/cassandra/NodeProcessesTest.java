package io.agentruntime.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeProcessesTest {

  @TempDir Path dir;

  @Test
  void aPidFileOfADeadProcessIsIgnored() throws Exception {
    Process done = new ProcessBuilder("true").start();
    done.waitFor();
    ManagedCassandraSettings s = SettingsFixture.settings(dir);
    Files.writeString(s.pidFile(), Long.toString(done.pid()));

    assertTrue(NodeProcesses.runningFromDataDir(s).isEmpty());
  }

  @Test
  void aPidFileNamingALiveProcessThatIsNotThisNodeIsIgnored() throws Exception {
    ManagedCassandraSettings s = SettingsFixture.settings(dir);
    // This test JVM is alive, and it is not a Cassandra.
    Files.writeString(s.pidFile(), Long.toString(ProcessHandle.current().pid()));

    assertTrue(NodeProcesses.runningFromDataDir(s).isEmpty());
  }

  @Test
  void aPidFileWithGarbageIsIgnored() throws Exception {
    ManagedCassandraSettings s = SettingsFixture.settings(dir);
    Files.writeString(s.pidFile(), "not a pid");

    assertTrue(NodeProcesses.runningFromDataDir(s).isEmpty());
  }
}
