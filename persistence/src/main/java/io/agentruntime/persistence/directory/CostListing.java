package io.agentruntime.persistence.directory;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.agentruntime.runtime.directory.CostPosition;
import io.agentruntime.runtime.directory.SessionPage;
import io.agentruntime.runtime.directory.SessionSummary;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listing by cost (migration V005): positions read in cost order from {@code sessions_by_cost}
 * (a user's: {@code user_sessions_by_cost}), each confirmed by the session's row in {@code
 * sessions_by_tenant}, which holds the newest summary written (one query per page of positions).
 *
 * <p>A position is shown only where that row holds the same cost, so a session is listed once, at
 * its newest cost, even where a write was lost or a writer did not know the cost listed before (a
 * session that just recovered): the position such a write left behind is skipped, and deleted at
 * its own write time once the tenant's row is provably newer than it (so a newer write at the same
 * position is never undone).
 */
final class CostListing {

  private static final Logger LOG = LoggerFactory.getLogger(CostListing.class);

  private static final String POSITION = "cost_usd, session_id, WRITETIME(updated_at) AS written";

  private static final String SUMMARY =
      "tenant, session_id, user_id, status, created_at, updated_at, cost_usd, input_tokens,"
          + " output_tokens, WRITETIME(status) AS written";

  private record Statements(
      PreparedStatement tenantFirst,
      PreparedStatement tenantAfter,
      PreparedStatement userFirst,
      PreparedStatement userAfter,
      PreparedStatement summaries,
      PreparedStatement dropTenantPosition,
      PreparedStatement dropUserPosition) {}

  /** One row of a table by cost, with the time it was written (microseconds). */
  private record Position(BigDecimal cost, String sessionId, long written) {}

  /** A session's newest summary, with the time it was written (microseconds). */
  private record Newest(SessionSummary summary, long written) {}

  private final CqlSession session;
  private final String keyspace;
  private final ConsistencyLevel consistency;
  private final int filterPageSize;
  private final CostPositionDeletes deletes;
  private final PreparedOnce<Statements> statements;

  CostListing(
      CqlSession session,
      String keyspace,
      ConsistencyLevel consistency,
      int filterPageSize,
      CostPositionDeletes deletes) {
    this.session = session;
    this.keyspace = keyspace;
    this.consistency = consistency;
    this.filterPageSize = filterPageSize;
    this.deletes = deletes;
    this.statements = new PreparedOnce<>(this::prepareAll);
  }

  CompletionStage<SessionPage> list(
      String tenant,
      Optional<String> user,
      Optional<String> status,
      int limit,
      Optional<CostPosition> after) {
    // Unfiltered, a page needs one more position than the limit (unless some are stale); a status
    // filter skips rows, so it reads in larger pages.
    int pageSize = status.isPresent() ? filterPageSize : limit + 1;
    return statements
        .get()
        .thenCompose(
            st -> {
              BoundStatement select = positions(st, tenant, user, after);
              return session
                  .executeAsync(select.setPageSize(pageSize).setConsistencyLevel(consistency))
                  .thenCompose(
                      rs -> collect(st, rs, tenant, user, status, limit + 1, new ArrayList<>()));
            })
        .thenApply(found -> toPage(found, limit));
  }

  private static BoundStatement positions(
      Statements st, String tenant, Optional<String> user, Optional<CostPosition> after) {
    if (user.isPresent()) {
      return after
          .map(p -> st.userAfter().bind(tenant, user.get(), p.costUsd(), p.sessionId()))
          .orElseGet(() -> st.userFirst().bind(tenant, user.get()));
    }
    return after
        .map(p -> st.tenantAfter().bind(tenant, p.costUsd(), p.sessionId()))
        .orElseGet(() -> st.tenantFirst().bind(tenant));
  }

  /** Gathers up to {@code wanted} confirmed sessions, fetching more positions only while needed. */
  private CompletionStage<List<SessionSummary>> collect(
      Statements st,
      AsyncResultSet rs,
      String tenant,
      Optional<String> user,
      Optional<String> status,
      int wanted,
      List<SessionSummary> found) {
    List<Position> page = new ArrayList<>();
    for (Row row : rs.currentPage()) {
      page.add(
          new Position(row.getBigDecimal("cost_usd"), row.getString("session_id"), written(row)));
    }
    return newest(st, tenant, page)
        .thenCompose(
            newest -> {
              for (Position p : page) {
                Newest n = newest.get(p.sessionId());
                if (confirms(n, p)) {
                  if (status.map(n.summary().status()::equals).orElse(true)) {
                    found.add(n.summary());
                    if (found.size() == wanted) {
                      return CompletableFuture.completedFuture(found);
                    }
                  }
                } else if (n != null && n.written() > p.written()) {
                  drop(st, tenant, user, p);
                }
              }
              return rs.hasMorePages()
                  ? rs.fetchNextPage()
                      .thenCompose(next -> collect(st, next, tenant, user, status, wanted, found))
                  : CompletableFuture.completedFuture(found);
            });
  }

  /** Whether the session's newest summary stands at this position. */
  private static boolean confirms(Newest n, Position p) {
    return n != null
        && n.summary().usage() != null
        && n.summary().usage().costUsd().compareTo(p.cost()) == 0;
  }

  /** The newest summaries of the sessions at these positions, by session id. */
  private CompletionStage<Map<String, Newest>> newest(
      Statements st, String tenant, List<Position> page) {
    if (page.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    List<String> ids = page.stream().map(Position::sessionId).distinct().toList();
    return session
        .executeAsync(
            st.summaries()
                .bind(tenant, ids)
                .setPageSize(ids.size() + 1)
                .setConsistencyLevel(consistency))
        .thenApply(
            rs -> {
              Map<String, Newest> byId = new HashMap<>();
              rs.currentPage()
                  .forEach(
                      row ->
                          byId.put(
                              row.getString("session_id"),
                              new Newest(CassandraSessionDirectory.toSummary(row), written(row))));
              return byId;
            });
  }

  /** Deletes a stale position at its own write time; nobody waits for it. */
  private void drop(Statements st, String tenant, Optional<String> user, Position p) {
    BoundStatement delete =
        user.map(u -> st.dropUserPosition().bind(tenant, u, p.cost(), p.sessionId()))
            .orElseGet(() -> st.dropTenantPosition().bind(tenant, p.cost(), p.sessionId()));
    session
        .executeAsync(
            delete
                .setQueryTimestamp(p.written())
                .setConsistencyLevel(consistency)
                .setIdempotent(true))
        .whenComplete(
            (rs, failure) -> {
              if (failure != null) {
                LOG.debug("Dropping a stale position of {} failed: {}", p.sessionId(), failure);
              }
            });
  }

  private static long written(Row row) {
    return row.getLong("written");
  }

  /** One more session than the limit was asked for: its presence says a next page exists. */
  private static SessionPage toPage(List<SessionSummary> found, int limit) {
    if (found.size() <= limit) {
      return new SessionPage(found, Optional.empty());
    }
    List<SessionSummary> page = found.subList(0, limit);
    return new SessionPage(page, Optional.of(CostPosition.of(page.get(limit - 1)).cursor()));
  }

  private CompletionStage<Statements> prepareAll() {
    String byCost = keyspace + ".sessions_by_cost";
    String byUserCost = keyspace + ".user_sessions_by_cost";
    String byTenant = keyspace + ".sessions_by_tenant";
    // Both tables cluster by (cost_usd DESC, session_id DESC): "after" is one tuple slice.
    String after = " AND (cost_usd, session_id) < (?, ?)";
    List<CompletableFuture<PreparedStatement>> all =
        List.of(
            prepare("SELECT " + POSITION + " FROM " + byCost + " WHERE tenant = ?"),
            prepare("SELECT " + POSITION + " FROM " + byCost + " WHERE tenant = ?" + after),
            prepare(
                "SELECT " + POSITION + " FROM " + byUserCost + " WHERE tenant = ? AND user_id = ?"),
            prepare(
                "SELECT "
                    + POSITION
                    + " FROM "
                    + byUserCost
                    + " WHERE tenant = ? AND user_id = ?"
                    + after),
            prepare(
                "SELECT "
                    + SUMMARY
                    + " FROM "
                    + byTenant
                    + " WHERE tenant = ? AND session_id IN ?"));
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenCombine(
            deletes.get(),
            (v, drops) ->
                new Statements(
                    all.get(0).join(),
                    all.get(1).join(),
                    all.get(2).join(),
                    all.get(3).join(),
                    all.get(4).join(),
                    drops.tenantPosition(),
                    drops.userPosition()));
  }

  private CompletableFuture<PreparedStatement> prepare(String cql) {
    return session.prepareAsync(cql).toCompletableFuture();
  }
}
