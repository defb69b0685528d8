package io.agentruntime.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.persistence.testing.TestCassandra;
import java.nio.file.Path;
import java.util.Map;

/** In-process nodes on the shared test Cassandra, configured like the dev profile. */
final class TestNodes {

  private TestNodes() {}

  /** The dev profile pointed at the test Cassandra and {@code keyspace}, on free ports. */
  static Config config(String keyspace, Path keysFile, Map<String, Object> more) {
    return config(TestCassandra.get().config(keyspace), keysFile, more);
  }

  /**
   * The dev profile pointed at the Cassandra of {@code cassandra} (agent-runtime.cassandra
   * settings), on free ports.
   */
  static Config config(Config cassandra, Path keysFile, Map<String, Object> more) {
    Config overrides =
        ConfigFactory.parseMap(more)
            .withFallback(
                ConfigFactory.parseMap(
                    Map.of(
                        "agent-runtime.http.port",
                        0,
                        "pekko.management.http.port",
                        0,
                        "pekko.remote.artery.canonical.port",
                        0,
                        "agent-runtime.node.managed-cassandra",
                        false,
                        "agent-runtime.node.migrate-on-start",
                        true,
                        "agent-runtime.http.keys-file",
                        keysFile.toString(),
                        "pekko.coordinated-shutdown.exit-jvm",
                        "off",
                        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook",
                        "off",
                        // Nodes in one JVM would share one file under the default home.
                        "agent-runtime.session.restart-hints.file",
                        "")))
            .withFallback(cassandra);
    return ConfigFactory.load(overrides.withFallback(ConfigFactory.parseResources("dev.conf")));
  }

  static String baseUrl(Node node) {
    return "http://127.0.0.1:" + node.httpAddress().getPort();
  }
}
