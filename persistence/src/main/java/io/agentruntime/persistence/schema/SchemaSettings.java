package io.agentruntime.persistence.schema;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Where the schema goes: the keyspace, and its replication as a CQL map literal, e.g. {@code
 * {'class': 'SimpleStrategy', 'replication_factor': 1}} for a dev node, or {@code {'class':
 * 'NetworkTopologyStrategy', 'dc1': 3}} in production.
 */
public record SchemaSettings(String keyspace, String replication) {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,47}");

  public SchemaSettings {
    // The keyspace is spliced into CQL text, so it must be a plain identifier.
    if (!IDENTIFIER.matcher(keyspace).matches()) {
      throw new IllegalArgumentException("not a valid keyspace name: " + keyspace);
    }
  }

  /** Reads agent-runtime.cassandra.keyspace and agent-runtime.cassandra.replication. */
  public static SchemaSettings fromConfig(Config root) {
    Config c = root.getConfig("agent-runtime.cassandra");
    return new SchemaSettings(c.getString("keyspace"), replication(c.getConfig("replication")));
  }

  /** One replica: a single dev or test node. */
  public static SchemaSettings singleNode(String keyspace) {
    return new SchemaSettings(keyspace, simpleStrategy(1));
  }

  public static String simpleStrategy(int factor) {
    return "{'class': 'SimpleStrategy', 'replication_factor': " + factor + "}";
  }

  public static String networkTopologyStrategy(Map<String, Integer> factorByDatacenter) {
    if (factorByDatacenter.isEmpty()) {
      throw new IllegalArgumentException("NetworkTopologyStrategy needs at least one datacenter");
    }
    return new TreeMap<>(factorByDatacenter)
        .entrySet().stream()
            .map(e -> "'" + e.getKey().replace("'", "''") + "': " + e.getValue())
            .collect(Collectors.joining(", ", "{'class': 'NetworkTopologyStrategy', ", "}"));
  }

  private static String replication(Config r) {
    String strategy = r.getString("class");
    return switch (strategy) {
      case "SimpleStrategy" -> simpleStrategy(r.getInt("factor"));
      case "NetworkTopologyStrategy" -> {
        Config dcs = r.getConfig("datacenters");
        yield networkTopologyStrategy(
            dcs.root().keySet().stream()
                .collect(Collectors.toMap(dc -> dc, dc -> dcs.getInt(ConfigUtil.joinPath(dc)))));
      }
      default -> throw new IllegalArgumentException("unknown replication class: " + strategy);
    };
  }
}
