package io.agentruntime.persistence.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MigrationTest {

  @Test
  void readsVersionAndNameFromTheFileName() {
    Migration m = Migration.of("V012__add_things.cql", "");
    assertEquals(12, m.version());
    assertEquals("add_things", m.name());
    assertThrows(IllegalArgumentException.class, () -> Migration.of("012_add_things.cql", ""));
  }

  @Test
  void splitsStatementsDropsCommentLinesAndFillsPlaceholders() {
    Migration m =
        Migration.of(
            "V001__x.cql",
            """
            -- a comment; with a semicolon
            CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = ${replication};

            CREATE TABLE IF NOT EXISTS ${keyspace}.t (
              id text PRIMARY KEY);
            """);

    List<String> statements = m.statements(SchemaSettings.singleNode("ks1"));

    assertEquals(
        List.of(
            "CREATE KEYSPACE IF NOT EXISTS ks1 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
            "CREATE TABLE IF NOT EXISTS ks1.t (\n  id text PRIMARY KEY)"),
        statements);
  }

  @Test
  void theChecksumFollowsTheText() {
    assertEquals(
        Migration.of("V1__a.cql", "x").checksum(), Migration.of("V1__a.cql", "x").checksum());
    assertNotEquals(
        Migration.of("V1__a.cql", "x").checksum(), Migration.of("V1__a.cql", "y").checksum());
  }

  @Test
  void everyScriptOfTheSchemaDirectoryIsListedInOrder() throws IOException {
    Path dir = Path.of("src/main/resources/schema");
    List<String> files;
    try (Stream<Path> list = Files.list(dir)) {
      files =
          list.map(p -> p.getFileName().toString())
              .filter(n -> n.matches("V\\d+__.*\\.cql"))
              .sorted()
              .toList();
    }

    List<Migration> listed = SchemaMigrator.create(SchemaSettings.singleNode("ks")).migrations();

    assertEquals(
        files,
        listed.stream().map(m -> String.format("V%03d__%s.cql", m.version(), m.name())).toList());
    for (int i = 0; i < listed.size(); i++) {
      assertEquals(i + 1, listed.get(i).version(), "versions are consecutive");
    }
  }

  @Test
  void theScriptsCreateOnlyIfNotExistsAndOnlyInTheKeyspace() {
    for (Migration m : SchemaMigrator.create(SchemaSettings.singleNode("ks")).migrations()) {
      for (String statement : m.statements(SchemaSettings.singleNode("ks"))) {
        // Both run again without effect, as a run cut short does.
        assertTrue(
            statement.startsWith("CREATE TABLE IF NOT EXISTS ks.")
                || statement.matches("(?s)ALTER TABLE ks\\.\\w+ ADD IF NOT EXISTS \\w+ \\w+"),
            statement);
      }
    }
  }
}
