package io.agentruntime.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** agent-runtime-cassandra.conf, as a node that includes it sees it. */
class PluginConfigTest {

  private static final Config FILE = ConfigFactory.parseResources("agent-runtime-cassandra.conf");
  private static final String READ_JOURNAL = "agent-runtime.session.events.read-journal";
  private static final Config NODE = FILE.withFallback(ConfigFactory.defaultReference()).resolve();

  @Test
  void selectsTheCassandraJournalAndSnapshotStore() {
    assertEquals(
        "pekko.persistence.cassandra.journal", NODE.getString("pekko.persistence.journal.plugin"));
    assertEquals(
        "pekko.persistence.cassandra.snapshot",
        NODE.getString("pekko.persistence.snapshot-store.plugin"));
  }

  @Test
  void usesTheMigratedSchemaInOneKeyspace() {
    Config p = NODE.getConfig("pekko.persistence.cassandra");
    assertEquals("agent_runtime", p.getString("journal.keyspace"));
    assertEquals("agent_runtime", p.getString("snapshot.keyspace"));
    for (String path :
        List.of(
            "journal.keyspace-autocreate",
            "journal.tables-autocreate",
            "snapshot.keyspace-autocreate",
            "snapshot.tables-autocreate",
            "events-by-tag.enabled")) {
      assertFalse(p.getBoolean(path), path);
    }
  }

  @Test
  void journalAndSnapshotsReadAndWriteAtQuorum() {
    Config profiles = NODE.getConfig("datastax-java-driver.profiles");
    assertEquals(
        "QUORUM",
        profiles.getString("pekko-persistence-cassandra-profile.basic.request.consistency"));
    assertEquals(
        "QUORUM",
        profiles.getString(
            "pekko-persistence-cassandra-snapshot-profile.basic.request.consistency"));
    // The profiles the plugin actually uses for reads and writes are those two.
    Config p = NODE.getConfig("pekko.persistence.cassandra");
    assertEquals("pekko-persistence-cassandra-profile", p.getString("write-profile"));
    assertEquals(
        "pekko-persistence-cassandra-snapshot-profile", p.getString("snapshot.write-profile"));
    assertEquals(
        "pekko-persistence-cassandra-snapshot-profile", p.getString("snapshot.read-profile"));
  }

  @Test
  void theDriverStartsBeforeCassandraAndUsesOurEndpoints() {
    assertTrue(NODE.getBoolean("datastax-java-driver.advanced.reconnect-on-init"));
    // Schema metadata of the runtime's keyspace alone (decision 0068).
    assertEquals(
        java.util.List.of(NODE.getString("agent-runtime.cassandra.keyspace")),
        NODE.getStringList("datastax-java-driver.advanced.metadata.schema.refreshed-keyspaces"));
    assertEquals(
        "datacenter1",
        NODE.getString("datastax-java-driver.basic.load-balancing-policy.local-datacenter"));
    assertEquals(
        AgentRuntimeSessionProvider.class.getName(),
        NODE.getString("pekko.persistence.cassandra.session-provider"));
    assertEquals(
        AgentRuntimeSessionProvider.class.getName(),
        NODE.getString("pekko.connectors.cassandra.session-provider"));
  }

  @Test
  void everyPluginKeySetHereExistsInThePluginsReferenceConf() {
    Config reference = ConfigFactory.defaultReference();
    int checked = 0;
    for (Map.Entry<String, ConfigValue> e : FILE.entrySet()) {
      String path = e.getKey();
      if (path.equals(READ_JOURNAL)) {
        continue; // the one key that tells the runtime which plugin reads: see below
      }
      assertTrue(
          path.startsWith("pekko.") || path.startsWith("datastax-java-driver."),
          "outside its scope: " + path);
      assertTrue(
          reference.hasPathOrNull(path)
              || reference.hasPathOrNull(pluginFallback(path))
              || isCommentedDriverDefault(path),
          "unknown key " + path);
      checked++;
    }
    assertEquals(20, checked, "keys checked");
  }

  @Test
  void sessionEventStreamsReadTheJournalBackThroughTheCassandraQueryPlugin() {
    assertEquals("pekko.persistence.cassandra.query", NODE.getString(READ_JOURNAL));
    assertTrue(
        ConfigFactory.defaultReference().hasPath(NODE.getString(READ_JOURNAL) + ".class"),
        "the plugin it names exists");
  }

  @Test
  void theBreakersLetWritesAndRecoveriesThroughSecondsAfterCassandraIsBack() {
    Config p = NODE.getConfig("pekko.persistence.cassandra");
    assertEquals(
        java.time.Duration.ofSeconds(3), p.getDuration("journal.circuit-breaker.reset-timeout"));
    assertEquals(
        java.time.Duration.ofSeconds(3), p.getDuration("snapshot.circuit-breaker.reset-timeout"));
    assertEquals(
        java.time.Duration.ofSeconds(5),
        NODE.getDuration("datastax-java-driver.advanced.reconnection-policy.max-delay"));
  }

  /**
   * Pekko gives each journal and snapshot plugin the keys of its fallback section, where it sets
   * none.
   */
  private static String pluginFallback(String path) {
    return path.replace(
            "pekko.persistence.cassandra.journal.", "pekko.persistence.journal-plugin-fallback.")
        .replace(
            "pekko.persistence.cassandra.snapshot.",
            "pekko.persistence.snapshot-store-plugin-fallback.");
  }

  /** The driver documents these in its reference.conf without a default value. */
  private static boolean isCommentedDriverDefault(String path) {
    return List.of(
            "datastax-java-driver.basic.contact-points",
            "datastax-java-driver.basic.load-balancing-policy.local-datacenter")
        .contains(path);
  }
}
