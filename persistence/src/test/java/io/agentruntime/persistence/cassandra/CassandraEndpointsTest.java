package io.agentruntime.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class CassandraEndpointsTest {

  private static Config withOverrides(String hocon) {
    return ConfigFactory.parseString(hocon)
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  @Test
  void byDefaultTheManagedNodeInDatacenter1() {
    CassandraEndpoints e =
        CassandraEndpoints.fromConfig(
            withOverrides("agent-runtime.cassandra.managed.native-port = 9042"));
    assertEquals(List.of("127.0.0.1:9042"), e.contactPoints());
    assertEquals("datacenter1", e.localDatacenter());
  }

  @Test
  void aCommaSeparatedStringAsAnEnvironmentVariableCarriesIt() {
    CassandraEndpoints e =
        CassandraEndpoints.fromConfig(
            withOverrides(
                "agent-runtime.cassandra.contact-points = \"10.0.0.1:9042, 10.0.0.2:9042,\""));
    assertEquals(List.of("10.0.0.1:9042", "10.0.0.2:9042"), e.contactPoints());
  }

  @Test
  void aListWorksToo() {
    CassandraEndpoints e =
        CassandraEndpoints.fromConfig(
            withOverrides("agent-runtime.cassandra.contact-points = [\"c1:9042\", \"c2:9043\"]"));
    assertEquals(List.of("c1:9042", "c2:9043"), e.contactPoints());
  }

  @Test
  void aContactPointWithoutPortIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            CassandraEndpoints.fromConfig(
                withOverrides("agent-runtime.cassandra.contact-points = \"c1\"")));
    assertThrows(IllegalArgumentException.class, () -> new CassandraEndpoints(List.of(), "dc"));
  }

  @Test
  void sessionsGetTheEndpointsWhateverTheDriverSectionSays() {
    Config driver = ConfigFactory.defaultReference().getConfig("datastax-java-driver");
    Config merged =
        CqlSessions.withEndpoints(driver, new CassandraEndpoints(List.of("c1:1", "c2:2"), "dc9"));
    assertEquals(List.of("c1:1", "c2:2"), merged.getStringList("basic.contact-points"));
    assertEquals("dc9", merged.getString("basic.load-balancing-policy.local-datacenter"));
  }
}
