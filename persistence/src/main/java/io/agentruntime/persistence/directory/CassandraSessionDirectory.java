package io.agentruntime.persistence.directory;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.agentruntime.runtime.directory.CostPosition;
import io.agentruntime.runtime.directory.ListedUsage;
import io.agentruntime.runtime.directory.SessionDirectory;
import io.agentruntime.runtime.directory.SessionPage;
import io.agentruntime.runtime.directory.SessionSummary;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.pekko.Done;

/**
 * The session directory in the tables of migrations V003 to V005: one partition per tenant, one per
 * (tenant, user) for a user's own listing, and one per (tenant, status) for an operator's listing
 * by status, all in session id order (the cursor is the last session id of the previous page); and
 * the listing by cost ({@link CostListing}), per tenant and per (tenant, user).
 *
 * <p>Each write carries the summary's {@code updatedAt} as its Cassandra timestamp, so the newest
 * summary wins even when writes arrive out of order, and rewriting one (as a recovering session
 * does) changes nothing. A write puts the session under its status and deletes it under every other
 * status at that timestamp, so a status row never outlives a newer status; likewise it puts the
 * session at its cost and deletes it at the cost its writer listed before.
 */
public final class CassandraSessionDirectory implements SessionDirectory {

  /** Rows fetched per round trip while a status filter skips rows. */
  private static final int DEFAULT_FILTER_PAGE_SIZE = 500;

  /** With 3 replicas, a summary written at LOCAL_QUORUM is seen by the next LOCAL_QUORUM read. */
  private static final ConsistencyLevel CONSISTENCY = DefaultConsistencyLevel.LOCAL_QUORUM;

  private static final String COLUMNS =
      "tenant, session_id, user_id, status, created_at, updated_at, cost_usd, input_tokens,"
          + " output_tokens";

  private static final String VALUES = " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /** Every status a summary can have; a write deletes the session under all but its own. */
  static final List<String> STATUSES =
      List.of("idle", "running", "awaiting_approval", "awaiting_client", "suspended", "closed");

  private record Statements(
      PreparedStatement insertByTenant,
      PreparedStatement insertByUser,
      PreparedStatement insertByStatus,
      PreparedStatement deleteByStatus,
      PreparedStatement deleteByTenant,
      PreparedStatement deleteByUser,
      PreparedStatement selectByTenant,
      PreparedStatement selectByUser,
      PreparedStatement selectByStatus,
      PreparedStatement selectOne,
      PreparedStatement insertByCost,
      PreparedStatement insertByUserCost,
      PreparedStatement deleteByCost,
      PreparedStatement deleteByUserCost) {}

  private final CqlSession session;
  private final String keyspace;
  private final int filterPageSize;
  private final PreparedOnce<Statements> statements;
  private final CostPositionDeletes costDeletes;
  private final CostListing byCost;

  /**
   * @param keyspace where migration V003 created the directory tables
   */
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
    this.costDeletes = new CostPositionDeletes(session, keyspace);
    this.statements = new PreparedOnce<>(this::prepareAll);
    this.byCost = new CostListing(session, keyspace, CONSISTENCY, filterPageSize, costDeletes);
  }

  @Override
  public CompletionStage<Done> upsert(SessionSummary s) {
    return upsert(s, Optional.empty());
  }

  @Override
  public CompletionStage<Done> upsert(SessionSummary s, Optional<BigDecimal> listedCostUsd) {
    if (s.updatedAt() == null) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("summary without updatedAt: " + s));
    }
    long writeTime = ChronoUnit.MICROS.between(Instant.EPOCH, s.updatedAt());
    ListedUsage u = s.usage();
    BigDecimal cost = u == null ? null : u.costUsd();
    Long in = u == null ? null : u.inputTokens();
    Long out = u == null ? null : u.outputTokens();
    return statements
        .get()
        .thenCompose(
            st -> {
              List<BatchableStatement<?>> writes = new ArrayList<>();
              writes.add(
                  st.insertByTenant()
                      .bind(
                          s.tenant(),
                          s.sessionId(),
                          s.user(),
                          s.status(),
                          s.createdAt(),
                          s.updatedAt(),
                          cost,
                          in,
                          out));
              writes.add(
                  st.insertByUser()
                      .bind(
                          s.tenant(),
                          s.user(),
                          s.sessionId(),
                          s.status(),
                          s.createdAt(),
                          s.updatedAt(),
                          cost,
                          in,
                          out));
              writes.add(
                  st.insertByStatus()
                      .bind(
                          s.tenant(),
                          s.status(),
                          s.sessionId(),
                          s.user(),
                          s.createdAt(),
                          s.updatedAt(),
                          cost,
                          in,
                          out));
              STATUSES.stream()
                  .filter(other -> !other.equals(s.status()))
                  .forEach(
                      other ->
                          writes.add(st.deleteByStatus().bind(s.tenant(), other, s.sessionId())));
              if (cost != null) {
                writes.addAll(costMoves(st, s, cost, listedCostUsd));
              }
              return session.executeAsync(logged(writes, writeTime));
            })
        .thenApply(rs -> Done.getInstance());
  }

  /**
   * The session at its cost, and gone from the cost its writer listed before (never from the same
   * cost: at one timestamp a delete wins over an insert).
   */
  private static List<BatchableStatement<?>> costMoves(
      Statements st, SessionSummary s, BigDecimal cost, Optional<BigDecimal> listedCostUsd) {
    List<BatchableStatement<?>> moves = new ArrayList<>();
    moves.add(st.insertByCost().bind(s.tenant(), cost, s.sessionId(), s.user(), s.updatedAt()));
    moves.add(st.insertByUserCost().bind(s.tenant(), s.user(), cost, s.sessionId(), s.updatedAt()));
    listedCostUsd
        .filter(before -> before.compareTo(cost) != 0)
        .map(ListedUsage::normalized)
        .ifPresent(
            before -> {
              moves.add(st.deleteByCost().bind(s.tenant(), before, s.sessionId()));
              moves.add(st.deleteByUserCost().bind(s.tenant(), s.user(), before, s.sessionId()));
            });
    return moves;
  }

  /**
   * Deletes every row of the session, at the present time (later than any summary it wrote). The
   * user's row and the positions by cost are found through the tenant's row (a position a lost
   * write left elsewhere is never listed: the listing by cost keeps only positions the tenant's row
   * confirms).
   */
  @Override
  public CompletionStage<Done> remove(String tenant, String sessionId) {
    long deleteTime = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    return statements
        .get()
        .thenCompose(
            st ->
                session
                    .executeAsync(
                        st.selectOne().bind(tenant, sessionId).setConsistencyLevel(CONSISTENCY))
                    .thenCompose(
                        rs -> {
                          Row row = rs.one();
                          List<BatchableStatement<?>> deletes = new ArrayList<>();
                          deletes.add(st.deleteByTenant().bind(tenant, sessionId));
                          if (row != null) {
                            String user = row.getString("user_id");
                            deletes.add(st.deleteByUser().bind(tenant, user, sessionId));
                            BigDecimal cost = row.getBigDecimal("cost_usd");
                            if (cost != null) {
                              deletes.add(st.deleteByCost().bind(tenant, cost, sessionId));
                              deletes.add(
                                  st.deleteByUserCost().bind(tenant, user, cost, sessionId));
                            }
                          }
                          STATUSES.forEach(
                              status ->
                                  deletes.add(st.deleteByStatus().bind(tenant, status, sessionId)));
                          return session.executeAsync(logged(deletes, deleteTime));
                        }))
        .thenApply(rs -> Done.getInstance());
  }

  private static BatchStatement logged(List<BatchableStatement<?>> statements, long writeTime) {
    return BatchStatement.newInstance(DefaultBatchType.LOGGED)
        .addAll(statements)
        .setQueryTimestamp(writeTime)
        .setConsistencyLevel(CONSISTENCY)
        .setIdempotent(true);
  }

  @Override
  public CompletionStage<SessionPage> list(
      String tenant,
      Optional<String> user,
      Optional<String> status,
      int limit,
      Optional<String> cursor) {
    if (limit < 1) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("limit must be positive: " + limit));
    }
    String after = cursor.orElse(""); // every session id sorts after the empty string
    // A tenant-wide listing by status reads the status's own partition; a user's listing by status
    // filters the user's partition (one user's sessions).
    boolean filtered = status.isPresent() && user.isPresent();
    Predicate<SessionSummary> keep = s -> !filtered || status.get().equals(s.status());
    int pageSize = filtered ? filterPageSize : limit + 1;
    return statements
        .get()
        .thenCompose(
            st -> {
              BoundStatement select =
                  user.map(u -> st.selectByUser().bind(tenant, u, after))
                      .orElseGet(
                          () ->
                              status
                                  .map(x -> st.selectByStatus().bind(tenant, x, after))
                                  .orElseGet(() -> st.selectByTenant().bind(tenant, after)));
              return session.executeAsync(
                  select.setPageSize(pageSize).setConsistencyLevel(CONSISTENCY));
            })
        .thenCompose(rs -> collect(rs, keep, limit + 1, new ArrayList<>()))
        .thenApply(found -> toPage(found, limit));
  }

  @Override
  public CompletionStage<SessionPage> listByCost(
      String tenant,
      Optional<String> user,
      Optional<String> status,
      int limit,
      Optional<CostPosition> after) {
    if (limit < 1) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("limit must be positive: " + limit));
    }
    return byCost.list(tenant, user, status, limit, after);
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

  /** A row of one of the directory's tables with the columns of {@link #COLUMNS}. */
  static SessionSummary toSummary(Row row) {
    BigDecimal cost = row.getBigDecimal("cost_usd");
    return new SessionSummary(
        row.getString("tenant"),
        row.getString("session_id"),
        row.getString("user_id"),
        row.getString("status"),
        row.getInstant("created_at"),
        row.getInstant("updated_at"),
        cost == null
            ? null
            : new ListedUsage(row.getLong("input_tokens"), row.getLong("output_tokens"), cost));
  }

  private CompletionStage<Statements> prepareAll() {
    String byTenant = keyspace + ".sessions_by_tenant";
    String byUser = keyspace + ".sessions_by_user";
    String byStatus = keyspace + ".sessions_by_status";
    String byCost = keyspace + ".sessions_by_cost";
    String byUserCost = keyspace + ".user_sessions_by_cost";
    String usage = ", cost_usd, input_tokens, output_tokens)";
    List<CompletableFuture<PreparedStatement>> all =
        List.of(
            prepare("INSERT INTO " + byTenant + " (" + COLUMNS + ")" + VALUES),
            prepare(
                "INSERT INTO "
                    + byUser
                    + " (tenant, user_id, session_id, status, created_at, updated_at"
                    + usage
                    + VALUES),
            prepare(
                "INSERT INTO "
                    + byStatus
                    + " (tenant, status, session_id, user_id, created_at, updated_at"
                    + usage
                    + VALUES),
            prepare(
                "DELETE FROM " + byStatus + " WHERE tenant = ? AND status = ? AND session_id = ?"),
            prepare("DELETE FROM " + byTenant + " WHERE tenant = ? AND session_id = ?"),
            prepare(
                "DELETE FROM " + byUser + " WHERE tenant = ? AND user_id = ? AND session_id = ?"),
            prepare(
                "SELECT " + COLUMNS + " FROM " + byTenant + " WHERE tenant = ? AND session_id > ?"),
            prepare(
                "SELECT "
                    + COLUMNS
                    + " FROM "
                    + byUser
                    + " WHERE tenant = ? AND user_id = ? AND session_id > ?"),
            prepare(
                "SELECT "
                    + COLUMNS
                    + " FROM "
                    + byStatus
                    + " WHERE tenant = ? AND status = ? AND session_id > ?"),
            prepare(
                "SELECT user_id, cost_usd FROM "
                    + byTenant
                    + " WHERE tenant = ? AND session_id = ?"),
            prepare(
                "INSERT INTO "
                    + byCost
                    + " (tenant, cost_usd, session_id, user_id, updated_at) VALUES (?, ?, ?, ?, ?)"),
            prepare(
                "INSERT INTO "
                    + byUserCost
                    + " (tenant, user_id, cost_usd, session_id, updated_at) VALUES (?, ?, ?, ?, ?)"));
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenCombine(
            costDeletes.get(),
            (v, deletes) ->
                new Statements(
                    all.get(0).join(),
                    all.get(1).join(),
                    all.get(2).join(),
                    all.get(3).join(),
                    all.get(4).join(),
                    all.get(5).join(),
                    all.get(6).join(),
                    all.get(7).join(),
                    all.get(8).join(),
                    all.get(9).join(),
                    all.get(10).join(),
                    all.get(11).join(),
                    deletes.tenantPosition(),
                    deletes.userPosition()));
  }

  private CompletableFuture<PreparedStatement> prepare(String cql) {
    return session.prepareAsync(cql).toCompletableFuture();
  }
}
