package io.agentruntime.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManagedCassandraSettingsTest {

  /**
   * The reference configuration, resolved with a stand-in for the environment: a substitution such
   * as ${?AGENT_RUNTIME_HOME} looks for a root key of that name before the environment.
   */
  private static Config reference(Map<String, String> environment, String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseMap(environment))
        .withFallback(ConfigFactory.parseResources("reference.conf"))
        .resolve(ConfigResolveOptions.noSystem());
  }

  @Test
  void defaultsSuitADevNode() {
    ManagedCassandraSettings s = ManagedCassandraSettings.fromConfig(reference(Map.of(), ""));

    assertEquals("127.0.0.1", s.host());
    assertEquals(List.of("127.0.0.1:7000"), s.effectiveSeeds());
    assertEquals(9042, s.nativePort());
    assertEquals(7000, s.storagePort());
    assertEquals(7001, s.sslStoragePort());
    assertEquals(Path.of(".agent-runtime/cassandra").toAbsolutePath().normalize(), s.dataDir());
    assertEquals("256m", s.heapMin());
    assertEquals("512m", s.heapMax());
    assertEquals(Duration.ofSeconds(90), s.startTimeout());
    assertEquals(Duration.ofSeconds(20), s.stopTimeout());
    assertEquals(Duration.ofSeconds(1), s.commitlogSyncPeriod());
    assertFalse(s.testMode());
  }

  @Test
  void theEnvironmentMovesHomeAndPortAndNamesTheJars() {
    ManagedCassandraSettings s =
        ManagedCassandraSettings.fromConfig(
            reference(
                Map.of(
                    "AGENT_RUNTIME_HOME", "/srv/agent-runtime",
                    "AGENT_RUNTIME_CASSANDRA_PORT", "9142",
                    "AGENT_RUNTIME_CASSANDRA_LIB", "/opt/cassandra/lib"),
                ""));

    assertEquals(Path.of("/srv/agent-runtime/cassandra"), s.dataDir());
    assertEquals(9142, s.nativePort());
    assertEquals(Path.of("/opt/cassandra/lib"), s.libDir());
  }

  @Test
  void theLibDirKeyIsWhatTheSystemPropertyOverrides() {
    ManagedCassandraSettings s =
        ManagedCassandraSettings.fromConfig(
            reference(Map.of(), "agent-runtime.cassandra.lib-dir = /jars"));
    assertEquals(Path.of("/jars"), s.libDir());
  }

  @Test
  void aNodeOfALocalClusterHasItsOwnAddressAndSeeds() {
    ManagedCassandraSettings s =
        ManagedCassandraSettings.fromConfig(
            reference(
                Map.of(),
                """
                agent-runtime.cassandra.managed {
                  host = "127.0.0.2"
                  seeds = ["127.0.0.1", "127.0.0.2"]
                  data-dir = "/tmp/node2"
                  java-executable = "/opt/jdk17/bin/java"
                  test-mode = on
                }
                """));

    assertEquals("127.0.0.2", s.host());
    assertEquals(List.of("127.0.0.1", "127.0.0.2"), s.effectiveSeeds());
    assertEquals(Path.of("/tmp/node2"), s.dataDir());
    assertEquals(Path.of("/opt/jdk17/bin/java"), s.javaExecutable());
    assertTrue(s.testMode());
  }

  @Test
  void runsCassandraOnAJava17() {
    Path java = ManagedCassandraSettings.defaultJavaExecutable();
    if (Runtime.version().feature() == 17) {
      assertEquals(Path.of(System.getProperty("java.home"), "bin", "java"), java);
    } else {
      assertEquals(ManagedCassandraSettings.DEBIAN_JAVA_17, java);
    }
  }
}
