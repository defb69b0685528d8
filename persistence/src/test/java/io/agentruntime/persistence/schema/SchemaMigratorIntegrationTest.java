package io.agentruntime.persistence.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.agentruntime.persistence.testing.TestCassandra;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SchemaMigratorIntegrationTest {

  private final CqlSession session = TestCassandra.get().session();

  @Test
  void appliesEveryVersionOnceAndRecordsIt() {
    SchemaSettings settings =
        SchemaSettings.singleNode(TestCassandra.uniqueKeyspaceName("migrator"));
    SchemaMigrator migrator = SchemaMigrator.create(settings);

    List<Migration> first = migrator.migrate(session);
    List<Migration> second = migrator.migrate(session);

    assertEquals(List.of(1, 2, 3, 4), first.stream().map(Migration::version).toList());
    assertEquals(List.of(), second, "a second run applies nothing");
    assertEquals(Set.of(1, 2, 3, 4), migrator.appliedVersions(session).keySet());
    assertEquals(
        Set.of(
            "schema_migrations",
            "messages",
            "metadata",
            "all_persistence_ids",
            "snapshots",
            "sessions_by_tenant",
            "sessions_by_user",
            "sessions_by_status"),
        tables(settings.keyspace()));
    assertEquals(
        "1",
        session
            .execute(
                "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?",
                settings.keyspace())
            .one()
            .getMap("replication", String.class, String.class)
            .get("replication_factor"));
  }

  @Test
  void aMigrationEditedAfterItWasAppliedStopsTheRun() {
    SchemaSettings settings = SchemaSettings.singleNode(TestCassandra.uniqueKeyspaceName("edited"));
    SchemaMigrator.create(settings).migrate(session);
    Migration v1 = SchemaMigrator.create(settings).migrations().get(0);
    Migration edited = new Migration(v1.version(), v1.name(), v1.cql() + "\n-- edited\n");

    SchemaMigrator tampered = new SchemaMigrator(settings, "", List.of(edited));

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> tampered.migrate(session));
    assertTrue(e.getMessage().contains("V1"), e.getMessage());
  }

  @Test
  void aLaterVersionIsAppliedOnTopOfAnExistingSchema() {
    SchemaSettings settings = SchemaSettings.singleNode(TestCassandra.uniqueKeyspaceName("later"));
    SchemaMigrator current = SchemaMigrator.create(settings);
    current.migrate(session);
    Migration v4 =
        Migration.of(
            "V005__extra.cql",
            "CREATE TABLE IF NOT EXISTS ${keyspace}.extra (id text PRIMARY KEY);");
    SchemaMigrator next =
        new SchemaMigrator(
            settings, "", Stream.concat(current.migrations().stream(), Stream.of(v4)).toList());

    assertEquals(List.of(v4), next.migrate(session));
    assertTrue(tables(settings.keyspace()).contains("extra"));
  }

  private Set<String> tables(String keyspace) {
    return session
        .execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace)
        .all()
        .stream()
        .map(r -> r.getString("table_name"))
        .collect(Collectors.toSet());
  }
}
