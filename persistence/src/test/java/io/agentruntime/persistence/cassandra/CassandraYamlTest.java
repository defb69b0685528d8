package io.agentruntime.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraYamlTest {

  @TempDir Path dir;

  @Test
  void writesEveryKeyCassandra5Requires() throws Exception {
    ManagedCassandraSettings s = SettingsFixture.settings(dir).withPorts(19042, 17000, 17001);

    CassandraYaml.write(s);

    List<String> lines = Files.readAllLines(dir.resolve("conf/cassandra.yaml"));
    for (String expected :
        List.of(
            "commitlog_sync: periodic",
            "commitlog_sync_period: 1000ms",
            "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
            "endpoint_snitch: SimpleSnitch",
            "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
            "      - seeds: '127.0.0.1:17000'",
            "  - '" + dir.resolve("data") + "'",
            "commitlog_directory: '" + dir.resolve("commitlog") + "'",
            "saved_caches_directory: '" + dir.resolve("saved_caches") + "'",
            "hints_directory: '" + dir.resolve("hints") + "'",
            "cdc_raw_directory: '" + dir.resolve("cdc_raw") + "'",
            "listen_address: 127.0.0.1",
            "rpc_address: 127.0.0.1",
            "native_transport_port: 19042",
            "storage_port: 17000",
            "ssl_storage_port: 17001",
            "auto_snapshot: false",
            "num_tokens: 1")) {
      assertTrue(lines.contains(expected), () -> "missing line <" + expected + "> in " + lines);
    }
    assertTrue(Files.readString(dir.resolve("conf/logback.xml")).contains("ConsoleAppender"));
  }

  @Test
  void aNodeOfSeveralListsItsSeedsAndListensOnItsOwnAddress() {
    ManagedCassandraSettings s =
        new ManagedCassandraSettings(
            "127.0.0.2",
            List.of("127.0.0.1", "127.0.0.2"),
            9042,
            7000,
            7001,
            dir,
            dir,
            Path.of("java"),
            "256m",
            "512m",
            Duration.ofSeconds(90),
            Duration.ofSeconds(20),
            Duration.ofSeconds(1),
            false,
            "");

    String yaml = CassandraYaml.render(s);

    assertTrue(yaml.contains("      - seeds: '127.0.0.1,127.0.0.2'\n"));
    assertTrue(yaml.contains("listen_address: 127.0.0.2\n"));
    assertTrue(yaml.contains("rpc_address: 127.0.0.2\n"));
    assertTrue(
        !yaml.contains("initial_token") && !yaml.contains("auto_bootstrap"),
        "a node that joins the usual way");
  }

  @Test
  void aFoundingMemberOfANewClusterTakesItsTokenWithoutBootstrapping() {
    ManagedCassandraSettings s =
        SettingsFixture.settings(dir)
            .asFoundingMember("127.0.0.3", List.of("127.0.0.1:7000"), "3074457345618258602");

    String yaml = CassandraYaml.render(s);

    assertTrue(yaml.contains("initial_token: 3074457345618258602\n"), yaml);
    assertTrue(yaml.contains("auto_bootstrap: false\n"), yaml);
    assertTrue(yaml.contains("listen_address: 127.0.0.3\n"), yaml);
    assertTrue(yaml.contains("      - seeds: '127.0.0.1:7000'\n"), yaml);
  }

  @Test
  void quotesPathsSoThatYamlReadsThemAsPlainStrings() {
    Path odd = dir.resolve("it's here");
    String yaml = CassandraYaml.render(SettingsFixture.settings(odd));
    assertTrue(
        yaml.contains(
            "commitlog_directory: '"
                + odd.resolve("commitlog").toString().replace("'", "''")
                + "'"));
    assertEquals(1, yaml.lines().filter(l -> l.startsWith("commitlog_directory:")).count());
  }
}
