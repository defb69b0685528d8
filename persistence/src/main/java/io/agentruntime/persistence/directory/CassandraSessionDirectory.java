package io.agentruntime.persistence.directory;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.agentruntime.runtime.directory.SessionDirectory;
import io.agentruntime.runtime.directory.SessionPage;
import io.agentruntime.runtime.directory.SessionSummary;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.pekko.Done;

/**
 * The session directory in the tables of migration V003: one partition per tenant, and one per
 * (tenant, user) for a user's own listing, both in session id order. The cursor is the last
 * session id of the previous page.
 *
 * <p>Each write carries the summary's {@code updatedAt} as its Cassandra timestamp, so the newest
 * summary wins even when writes arrive out of order, and rewriting one (as a recovering session
 * does) changes nothing.
 */
public final class CassandraSessionDirectory implements SessionDirectory {

  /** Rows fetched per round trip while a status filter skips rows. */
  private static final int DEFAULT_FILTER_PAGE_SIZE = 500;
  /** With 3 replicas, a summary written at LOCAL_QUORUM is seen by the next LOCAL_QUORUM read. */
  private static final ConsistencyLevel CONSISTENCY = DefaultConsistencyLevel.LOCAL_QUORUM;
  private static final String COLUMNS = "tenant, session_id, user_id, status, created_at, updated_at";

  private record Statements(
      PreparedStatement insertByTenant,
      PreparedStatement insertByUser,
      PreparedStatement selectByTenant,
      PreparedStatement selectByUser) {}

  private final CqlSession session;
  private final String keyspace;
  private final int filterPageSize;
  private final AtomicReference<CompletableFuture<Statements>> statements = new AtomicReference<>();

  /** @param keyspace where migration V003 created the directory tables */
  public CassandraSessionDirectory(CqlSession session, String keyspace) {
    this(session, keyspace, DEFAULT_FILTER_PAGE_SIZE);
  }

  CassandraSessionDirectory(CqlSession session, String keyspace, int filterPageSize) {
    if (!keyspace.matches("[A-Za-z][A-Za-z0-9_]{0,47}")) {
      throw new IllegalArgumentException("not a valid keyspace name: " + keyspace);
    }
    this.session = session;
    this.keyspace = keyspace;
    this.filterPageSize = filterPageSize;
  }

  @Override
  public CompletionStage<Done> upsert(SessionSummary s) {
    if (s.updatedAt() == null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("summary without updatedAt: " + s));
    }
    long writeTime = ChronoUnit.MICROS.between(Instant.EPOCH, s.updatedAt());
    return statements()
        .thenCompose(
            st -> {
              BatchStatement batch =
                  BatchStatement.newInstance(
                          DefaultBatchType.LOGGED,
                          st.insertByTenant().bind(s.tenant(), s.sessionId(), s.user(), s.status(), s.createdAt(), s.updatedAt()),
                          st.insertByUser().bind(s.tenant(), s.user(), s.sessionId(), s.status(), s.createdAt(), s.updatedAt()))
                      .setQueryTimestamp(writeTime)
                      .setConsistencyLevel(CONSISTENCY)
                      .setIdempotent(true);
              return session.executeAsync(batch);
            })
        .thenApply(rs -> Done.getInstance());
  }

  @Override
  public CompletionStage<SessionPage> list(
      String tenant, Optional<String> user, Optional<String> status, int limit, Optional<String> cursor) {
    if (limit < 1) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("limit must be positive: " + limit));
    }
    String after = cursor.orElse(""); // every session id sorts after the empty string
    Predicate<SessionSummary> keep = s -> status.map(s.status()::equals).orElse(true);
    int pageSize = status.isPresent() ? filterPageSize : limit + 1;
    return statements()
        .thenCompose(
            st -> {
              BoundStatement select =
                  user.map(u -> st.selectByUser().bind(tenant, u, after))
                      .orElseGet(() -> st.selectByTenant().bind(tenant, after));
              return session.executeAsync(select.setPageSize(pageSize).setConsistencyLevel(CONSISTENCY));
            })
        .thenCompose(rs -> collect(rs, keep, limit + 1, new ArrayList<>()))
        .thenApply(found -> toPage(found, limit));
  }

  /** Gathers up to {@code wanted} kept rows, fetching further pages only while needed. */
  private static CompletionStage<List<SessionSummary>> collect(
      AsyncResultSet rs, Predicate<SessionSummary> keep, int wanted, List<SessionSummary> found) {
    for (Row row : rs.currentPage()) {
      SessionSummary s = toSummary(row);
      if (keep.test(s)) {
        found.add(s);
        if (found.size() == wanted) {
          return CompletableFuture.completedFuture(found);
        }
      }
    }
    return rs.hasMorePages()
        ? rs.fetchNextPage().thenCompose(next -> collect(next, keep, wanted, found))
        : CompletableFuture.completedFuture(found);
  }

  /** One more row than the limit was asked for: its presence is what says a next page exists. */
  private static SessionPage toPage(List<SessionSummary> found, int limit) {
    if (found.size() <= limit) {
      return new SessionPage(found, Optional.empty());
    }
    List<SessionSummary> page = found.subList(0, limit);
    return new SessionPage(page, Optional.of(page.get(limit - 1).sessionId()));
  }

  private static SessionSummary toSummary(Row row) {
    return new SessionSummary(
        row.getString("tenant"),
        row.getString("session_id"),
        row.getString("user_id"),
        row.getString("status"),
        row.getInstant("created_at"),
        row.getInstant("updated_at"));
  }

  /**
   * Prepared once; a failed preparation (Cassandra not up yet, say) is retried by the next call
   * instead of failing every call for good.
   */
  private CompletionStage<Statements> statements() {
    CompletableFuture<Statements> current = statements.get();
    if (current != null && !current.isCompletedExceptionally()) {
      return current;
    }
    CompletableFuture<Statements> fresh = new CompletableFuture<>();
    if (!statements.compareAndSet(current, fresh)) {
      return statements.get();
    }
    prepareAll().whenComplete((st, e) -> {
      if (e == null) {
        fresh.complete(st);
      } else {
        fresh.completeExceptionally(e);
      }
    });
    return fresh;
  }

  private CompletionStage<Statements> prepareAll() {
    String byTenant = keyspace + ".sessions_by_tenant";
    String byUser = keyspace + ".sessions_by_user";
    CompletableFuture<PreparedStatement> insertByTenant =
        prepare("INSERT INTO " + byTenant + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)");
    CompletableFuture<PreparedStatement> insertByUser =
        prepare("INSERT INTO " + byUser + " (tenant, user_id, session_id, status, created_at, updated_at)"
            + " VALUES (?, ?, ?, ?, ?, ?)");
    CompletableFuture<PreparedStatement> selectByTenant =
        prepare("SELECT " + COLUMNS + " FROM " + byTenant + " WHERE tenant = ? AND session_id > ?");
    CompletableFuture<PreparedStatement> selectByUser =
        prepare("SELECT " + COLUMNS + " FROM " + byUser + " WHERE tenant = ? AND user_id = ? AND session_id > ?");
    return CompletableFuture.allOf(insertByTenant, insertByUser, selectByTenant, selectByUser)
        .thenApply(
            v -> new Statements(insertByTenant.join(), insertByUser.join(), selectByTenant.join(), selectByUser.join()));
  }

  private CompletableFuture<PreparedStatement> prepare(String cql) {
    return session.prepareAsync(cql).toCompletableFuture();
  }
}
