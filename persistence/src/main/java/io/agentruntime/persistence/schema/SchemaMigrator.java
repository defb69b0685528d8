package io.agentruntime.persistence.schema;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned CQL schema under {@code schema/} on the classpath: the bootstrap (keyspace
 * and {@code schema_migrations}) every time, then each migration not yet recorded, in version
 * order, recording it once it succeeded. Every statement is {@code IF NOT EXISTS}, so a run cut
 * short is simply run again.
 *
 * <p>Cassandra copes badly with concurrent schema changes: run it from one place (the {@code
 * migrate} command, a dev node at start-up, a test), not from every node at once. Blocking; never
 * call it from inside an actor.
 */
public final class SchemaMigrator {

  private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);
  private static final String RESOURCE_DIR = "schema/";

  /** Schema changes wait for every node to agree, which takes longer than a query. */
  private static final Duration DDL_TIMEOUT = Duration.ofSeconds(60);

  /**
   * The record of applied versions must be read as reliably as it was written, with 3 replicas too.
   */
  private static final ConsistencyLevel RECORD_CONSISTENCY = DefaultConsistencyLevel.LOCAL_QUORUM;

  private final SchemaSettings settings;
  private final String bootstrap;
  private final List<Migration> migrations;

  SchemaMigrator(SchemaSettings settings, String bootstrap, List<Migration> migrations) {
    this.settings = settings;
    this.bootstrap = bootstrap;
    this.migrations =
        migrations.stream().sorted(Comparator.comparingInt(Migration::version)).toList();
  }

  /** The migrations listed in schema/migrations.txt on the classpath. */
  public static SchemaMigrator create(SchemaSettings settings) {
    List<Migration> migrations =
        resource("migrations.txt")
            .lines()
            .map(String::strip)
            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
            .map(file -> Migration.of(file, resource(file)))
            .toList();
    return new SchemaMigrator(settings, resource("bootstrap.cql"), migrations);
  }

  public List<Migration> migrations() {
    return migrations;
  }

  /** Brings the keyspace up to date; returns the migrations this run applied (empty if none). */
  public List<Migration> migrate(CqlSession session) {
    // Otherwise the driver refreshes its schema metadata after every statement, debounced by a
    // second: a dozen statements would take a dozen seconds.
    session.setSchemaMetadataEnabled(false);
    try {
      return migrateAll(session);
    } finally {
      session.setSchemaMetadataEnabled(null); // back to the configured setting
    }
  }

  private List<Migration> migrateAll(CqlSession session) {
    new Migration(0, "bootstrap", bootstrap)
        .statements(settings)
        .forEach(cql -> execute(session, cql));
    Map<Integer, String> applied = appliedVersions(session);
    List<Migration> done = new ArrayList<>();
    for (Migration m : migrations) {
      String checksum = applied.get(m.version());
      if (checksum == null) {
        apply(session, m);
        done.add(m);
      } else if (!checksum.equals(m.checksum())) {
        throw new IllegalStateException(
            "migration V"
                + m.version()
                + " ("
                + m.name()
                + ") was changed after it was applied to "
                + settings.keyspace()
                + "; add a new migration instead");
      }
    }
    return done;
  }

  /** Applied versions and the checksums they were applied with. */
  public Map<Integer, String> appliedVersions(CqlSession session) {
    SimpleStatement select =
        SimpleStatement.newInstance(
                "SELECT version, checksum FROM " + settings.keyspace() + ".schema_migrations")
            .setConsistencyLevel(RECORD_CONSISTENCY)
            .setIdempotent(true);
    return readPatiently(session, select).all().stream()
        .collect(
            Collectors.toMap((Row r) -> r.getInt("version"), (Row r) -> r.getString("checksum")));
  }

  /**
   * A read that tries again for a while: right after a Cassandra node dies its peers take some
   * seconds to convict it, and a QUORUM read they send to it times out meanwhile, though two
   * replicas are up. A node starting then should wait that out rather than fail. Likewise a
   * Cassandra node that joined a moment ago may not have the table yet although the nodes the
   * driver asked agreed on the schema (it counts only the nodes it already sees up).
   */
  private static com.datastax.oss.driver.api.core.cql.ResultSet readPatiently(
      CqlSession session, SimpleStatement read) {
    long deadline = System.nanoTime() + DDL_TIMEOUT.toNanos();
    while (true) {
      try {
        return session.execute(read);
      } catch (com.datastax.oss.driver.api.core.DriverTimeoutException
          | com.datastax.oss.driver.api.core.servererrors.ReadTimeoutException
          | com.datastax.oss.driver.api.core.servererrors.UnavailableException
          | com.datastax.oss.driver.api.core.AllNodesFailedException
          | com.datastax.oss.driver.api.core.servererrors.InvalidQueryException e) {
        if (System.nanoTime() > deadline || !isTransient(e)) {
          throw e;
        }
        log.warn("Reading the applied schema versions failed ({}); trying again", e.getMessage());
        try {
          Thread.sleep(500);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static boolean isTransient(RuntimeException e) {
    return !(e instanceof com.datastax.oss.driver.api.core.servererrors.InvalidQueryException)
        || String.valueOf(e.getMessage()).contains("does not exist");
  }

  private void apply(CqlSession session, Migration m) {
    log.info(
        "Applying schema migration V{} ({}) to keyspace {}",
        m.version(),
        m.name(),
        settings.keyspace());
    m.statements(settings).forEach(cql -> execute(session, cql));
    session.execute(
        SimpleStatement.newInstance(
                "INSERT INTO "
                    + settings.keyspace()
                    + ".schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                m.version(),
                m.name(),
                m.checksum(),
                Instant.now())
            .setConsistencyLevel(RECORD_CONSISTENCY));
  }

  /**
   * Runs a statement; after a schema change, waits until every Cassandra node has it, or the next
   * statement may reach a coordinator that has not heard of the table yet.
   */
  private static void execute(CqlSession session, String cql) {
    session.execute(SimpleStatement.newInstance(cql).setTimeout(DDL_TIMEOUT));
    // The driver checks agreement itself only while schema metadata is on, which migrate() turns
    // off.
    long deadline = System.nanoTime() + DDL_TIMEOUT.toNanos();
    while (!session.checkSchemaAgreement()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the Cassandra nodes did not agree on the schema within " + DDL_TIMEOUT);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for schema agreement", e);
      }
    }
  }

  private static String resource(String name) {
    try (InputStream in =
        SchemaMigrator.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + name)) {
      if (in == null) {
        throw new IllegalStateException(
            "schema resource missing from the classpath: " + RESOURCE_DIR + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
