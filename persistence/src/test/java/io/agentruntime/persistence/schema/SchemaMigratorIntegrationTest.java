package io.agentruntime.persistence.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.agentruntime.persistence.directory.CassandraSessionDirectory;
import io.agentruntime.persistence.testing.TestCassandra;
import io.agentruntime.runtime.directory.ListedUsage;
import io.agentruntime.runtime.directory.SessionPage;
import io.agentruntime.runtime.directory.SessionSummary;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
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

    assertEquals(List.of(1, 2, 3, 4, 5), first.stream().map(Migration::version).toList());
    assertEquals(List.of(), second, "a second run applies nothing");
    assertEquals(Set.of(1, 2, 3, 4, 5), migrator.appliedVersions(session).keySet());
    assertEquals(
        Set.of(
            "schema_migrations",
            "messages",
            "metadata",
            "all_persistence_ids",
            "snapshots",
            "sessions_by_tenant",
            "sessions_by_user",
            "sessions_by_status",
            "sessions_by_cost",
            "user_sessions_by_cost"),
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
            "V099__extra.cql",
            "CREATE TABLE IF NOT EXISTS ${keyspace}.extra (id text PRIMARY KEY);");
    SchemaMigrator next =
        new SchemaMigrator(
            settings, "", Stream.concat(current.migrations().stream(), Stream.of(v4)).toList());

    assertEquals(List.of(v4), next.migrate(session));
    assertTrue(tables(settings.keyspace()).contains("extra"));
  }

  @Test
  void theListingByCostComesToAKeyspaceThatHasSessionsAlready() throws Exception {
    SchemaSettings settings =
        SchemaSettings.singleNode(TestCassandra.uniqueKeyspaceName("upgrade"));
    SchemaMigrator current = SchemaMigrator.create(settings);
    String bootstrap;
    try (var in = getClass().getClassLoader().getResourceAsStream("schema/bootstrap.cql")) {
      bootstrap = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<Migration> beforeCost =
        current.migrations().stream().filter(m -> m.version() <= 4).toList();
    new SchemaMigrator(settings, bootstrap, beforeCost).migrate(session);
    Instant t0 = Instant.parse("2026-12-01T00:00:00Z");
    // A line as a node of the previous version wrote it.
    session.execute(
        "INSERT INTO "
            + settings.keyspace()
            + ".sessions_by_tenant (tenant, session_id, user_id, status, created_at, updated_at)"
            + " VALUES ('acme', 'old', 'ada', 'closed', ?, ?) USING TIMESTAMP ?",
        t0,
        t0,
        t0.toEpochMilli() * 1000); // as the directory writes: at the summary's updatedAt

    assertEquals(List.of(5), current.migrate(session).stream().map(Migration::version).toList());
    assertEquals(List.of(), current.migrate(session), "a second run applies nothing");

    CassandraSessionDirectory directory =
        new CassandraSessionDirectory(session, settings.keyspace());
    SessionPage byId =
        directory
            .list("acme", Optional.empty(), Optional.empty(), 10, Optional.empty())
            .toCompletableFuture()
            .join();
    assertEquals(
        List.of(new SessionSummary("acme", "old", "ada", "closed", t0, t0)),
        byId.sessions(),
        "listed as before, its usage unknown");
    assertEquals(
        List.of(),
        directory
            .listByCost("acme", Optional.empty(), Optional.empty(), 10, Optional.empty())
            .toCompletableFuture()
            .join()
            .sessions(),
        "not by cost until it writes again");

    ListedUsage spent = new ListedUsage(40, 20, new BigDecimal("0.08"));
    directory
        .upsert(
            new SessionSummary("acme", "old", "ada", "closed", t0, t0.plusSeconds(60), spent),
            Optional.empty())
        .toCompletableFuture()
        .join();
    assertEquals(
        List.of(new SessionSummary("acme", "old", "ada", "closed", t0, t0.plusSeconds(60), spent)),
        directory
            .listByCost("acme", Optional.empty(), Optional.empty(), 10, Optional.empty())
            .toCompletableFuture()
            .join()
            .sessions());
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
