package io.agentruntime.persistence.cassandra;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.util.Arrays;
import java.util.List;

/**
 * Where the driver connects: "host:port" contact points and the local datacenter, read from
 * agent-runtime.cassandra.contact-points (a list, or one comma-separated string as an environment
 * variable carries it) and agent-runtime.cassandra.local-datacenter.
 */
public record CassandraEndpoints(List<String> contactPoints, String localDatacenter) {

  public static final String DEFAULT_DATACENTER = "datacenter1";

  public CassandraEndpoints {
    contactPoints = List.copyOf(contactPoints);
    if (contactPoints.isEmpty()) {
      throw new IllegalArgumentException("at least one Cassandra contact point is needed");
    }
    contactPoints.forEach(CassandraEndpoints::checkHostPort);
  }

  public static CassandraEndpoints fromConfig(Config root) {
    Config c = root.getConfig("agent-runtime.cassandra");
    List<String> points =
        c.getValue("contact-points").valueType() == ConfigValueType.LIST
            ? c.getStringList("contact-points")
            : Arrays.stream(c.getString("contact-points").split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    return new CassandraEndpoints(points, c.getString("local-datacenter"));
  }

  /** One node in the default datacenter of a SimpleSnitch cluster: a dev or test node. */
  public static CassandraEndpoints of(String host, int port) {
    return new CassandraEndpoints(List.of(host + ":" + port), DEFAULT_DATACENTER);
  }

  private static void checkHostPort(String contactPoint) {
    int colon = contactPoint.lastIndexOf(':');
    try {
      if (colon <= 0 || Integer.parseInt(contactPoint.substring(colon + 1)) <= 0) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("contact point must be host:port: " + contactPoint);
    }
  }
}
