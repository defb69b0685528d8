package io.agentruntime.persistence.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cassandra.yaml (and logback.xml) of a managed node. The cassandra-all jar ships neither, so
 * every key 5.0 requires is written here; the rest keep Cassandra's defaults.
 */
final class CassandraYaml {

  static final String CLUSTER_NAME = "agent-runtime";

  private CassandraYaml() {}

  static String render(ManagedCassandraSettings s) {
    Path data = s.dataDir();
    String founding =
        s.foundingToken().isEmpty()
            ? ""
            // A member of a new cluster: its own token, and nothing to stream from the others.
            : "initial_token: " + s.foundingToken() + "\nauto_bootstrap: false\n";
    return founding
        + String.join(
            "\n",
            "# Written by Agent Runtime at each start of the managed node; edits are overwritten.",
            "cluster_name: " + quote(CLUSTER_NAME),
            // One token per node: a dev node has no data to spread, and startup is faster.
            "num_tokens: 1",
            "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
            "endpoint_snitch: SimpleSnitch",
            "commitlog_sync: periodic",
            "commitlog_sync_period: " + s.commitlogSyncPeriod().toMillis() + "ms",
            "data_file_directories:",
            "  - " + quote(data.resolve("data").toString()),
            "commitlog_directory: " + quote(data.resolve("commitlog").toString()),
            "saved_caches_directory: " + quote(data.resolve("saved_caches").toString()),
            "hints_directory: " + quote(data.resolve("hints").toString()),
            "cdc_raw_directory: " + quote(data.resolve("cdc_raw").toString()),
            "seed_provider:",
            "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
            "    parameters:",
            "      - seeds: " + quote(String.join(",", s.effectiveSeeds())),
            "listen_address: " + s.host(),
            "rpc_address: " + s.host(),
            "storage_port: " + s.storagePort(),
            "ssl_storage_port: " + s.sslStoragePort(),
            "start_native_transport: true",
            "native_transport_port: " + s.nativePort(),
            // A dev node's data is disposable: no snapshot on every TRUNCATE or DROP.
            "auto_snapshot: false",
            // A new cluster needs no compatibility with 4.x sstables and messaging.
            "storage_compatibility_mode: NONE",
            "");
  }

  /** Cassandra logs through logback to stdout, which the managed node sends to its log file. */
  static String logback() {
    return """
        <configuration scan="false">
          <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder>
              <pattern>%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n</pattern>
            </encoder>
          </appender>
          <root level="INFO">
            <appender-ref ref="STDOUT"/>
          </root>
        </configuration>
        """;
  }

  /** Writes cassandra.yaml and logback.xml into the data dir's conf directory. */
  static void write(ManagedCassandraSettings s) {
    try {
      Files.createDirectories(s.yamlFile().getParent());
      Files.writeString(s.yamlFile(), render(s));
      Files.writeString(logbackFile(s), logback());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the Cassandra configuration under " + s.dataDir(), e);
    }
  }

  static Path logbackFile(ManagedCassandraSettings s) {
    return s.yamlFile().resolveSibling("logback.xml");
  }

  private static String quote(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
