package io.agentruntime.persistence.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaSettingsTest {

  @Test
  void devDefaultIsOneReplicaInKeyspaceAgentRuntime() {
    SchemaSettings s = SchemaSettings.fromConfig(ConfigFactory.defaultReference());
    assertEquals("agent_runtime", s.keyspace());
    assertEquals("{'class': 'SimpleStrategy', 'replication_factor': 1}", s.replication());
  }

  @Test
  void productionReplicatesThreeTimesPerDatacenter() {
    SchemaSettings s =
        SchemaSettings.fromConfig(
            ConfigFactory.parseString(
                    """
                    agent-runtime.cassandra.replication {
                      class = "NetworkTopologyStrategy"
                      datacenters { "eu-west" = 3, dc2 = 2 }
                    }
                    """)
                .withFallback(ConfigFactory.defaultReference()));
    assertEquals("{'class': 'NetworkTopologyStrategy', 'dc2': 2, 'eu-west': 3}", s.replication());
    assertThrows(
        IllegalArgumentException.class, () -> SchemaSettings.networkTopologyStrategy(Map.of()));
  }

  @Test
  void aKeyspaceNameThatIsNotAPlainIdentifierIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> SchemaSettings.singleNode("ks; DROP KEYSPACE x"));
    assertThrows(IllegalArgumentException.class, () -> SchemaSettings.singleNode("1ks"));
  }
}
