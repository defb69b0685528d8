package io.agentruntime.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraCommandTest {

  @TempDir Path dir;

  @Test
  void runsTheDaemonWithTheJava17ModuleOpeningsAndItsOwnConfig() {
    ManagedCassandraSettings s = SettingsFixture.settings(dir);

    List<String> cmd = CassandraCommand.build(s, false);

    assertEquals(s.javaExecutable().toString(), cmd.get(0));
    assertEquals(CassandraCommand.MAIN_CLASS, cmd.get(cmd.size() - 1));
    assertTrue(cmd.contains("-Xms256m") && cmd.contains("-Xmx512m"));
    assertTrue(adjacent(cmd, "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"));
    assertTrue(adjacent(cmd, "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"));
    assertTrue(adjacent(cmd, "-cp", s.libDir().resolve("*").toString()));
    assertTrue(cmd.contains("-Dcassandra.config=" + s.yamlFile().toUri()));
    assertTrue(cmd.contains("-Dcassandra-foreground=yes"));
    assertTrue(cmd.contains("-Dcassandra.shutdown_announce_in_ms=0"));
    assertTrue(
        cmd.stream()
            .noneMatch(
                a ->
                    a.startsWith("-Dcassandra.jmx")
                        || a.startsWith("-Dcom.sun.management.jmxremote")),
        "JMX stays off");
    assertFalse(
        cmd.contains("-Dcassandra.unsafesystem=true"), "durable system tables outside tests");
  }

  @Test
  void testModeTradesSystemTableDurabilityForSpeed() {
    List<String> cmd =
        CassandraCommand.build(SettingsFixture.settings(dir).withTestMode(true), false);
    assertTrue(cmd.contains("-Dcassandra.unsafesystem=true"));
  }

  @Test
  void asRootTheJvmRunsWithoutTheRightToLockMemory() {
    List<String> cmd = CassandraCommand.build(SettingsFixture.settings(dir), true);
    assertEquals(
        List.of("/usr/bin/setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock"),
        cmd.subList(0, 3));
  }

  @Test
  void theCommandIsRecognisedAsThisDataDirsNode() {
    ManagedCassandraSettings s = SettingsFixture.settings(dir);
    String commandLine = String.join(" ", CassandraCommand.build(s, true));

    assertTrue(NodeProcesses.isCassandraOf(commandLine, s));
    assertFalse(NodeProcesses.isCassandraOf(commandLine, s.withDataDir(dir.resolve("other"))));
  }

  private static boolean adjacent(List<String> cmd, String option, String value) {
    for (int i = 0; i + 1 < cmd.size(); i++) {
      if (cmd.get(i).equals(option) && cmd.get(i + 1).equals(value)) {
        return true;
      }
    }
    return false;
  }
}
