package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.Test;

class NodeSettingsTest {

  @Test
  void seedNodesAreReadFromACommaSeparatedList() {
    assertEquals(List.of("10.0.0.1:25520", "10.0.0.2:25520"), NodeSettings.seeds(" 10.0.0.1:25520, ,10.0.0.2:25520 "));
    assertEquals(List.of(), NodeSettings.seeds(""));
  }

  @Test
  void theDevProfileManagesCassandraAndTheProdProfileDoesNot() {
    NodeSettings dev = NodeSettings.fromConfig(ConfigFactory.load("dev"));
    NodeSettings prod = NodeSettings.fromConfig(ConfigFactory.load("prod"));
    assertEquals(true, dev.managedCassandra());
    assertEquals(true, dev.migrateOnStart());
    assertEquals(false, prod.managedCassandra());
    assertEquals(true, ConfigFactory.load("dev").getBoolean("agent-runtime.http.dev-key-enabled"));
    assertEquals(false, ConfigFactory.load("prod").getBoolean("agent-runtime.http.dev-key-enabled"));
  }

  @Test
  void aSeedNodeBecomesAClusterAddress() {
    assertEquals(new Address("pekko", "agent-runtime", "10.0.0.1", 25520), ClusterMembership.address("agent-runtime", "10.0.0.1:25520"));
    assertThrows(IllegalArgumentException.class, () -> ClusterMembership.address("agent-runtime", "no-port"));
  }
}
