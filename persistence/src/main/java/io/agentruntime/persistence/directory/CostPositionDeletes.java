package io.agentruntime.persistence.directory;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The two deletes of a session's position in the tables by cost, prepared once and shared: the
 * directory deletes the position its writer listed before, the {@link CostListing} a stale one.
 */
final class CostPositionDeletes {

  /** Bound as (tenant, cost, session) and (tenant, user, cost, session). */
  record Prepared(PreparedStatement tenantPosition, PreparedStatement userPosition) {}

  private final CqlSession session;
  private final String keyspace;
  private final PreparedOnce<Prepared> prepared;

  CostPositionDeletes(CqlSession session, String keyspace) {
    this.session = session;
    this.keyspace = keyspace;
    this.prepared = new PreparedOnce<>(this::prepareBoth);
  }

  CompletionStage<Prepared> get() {
    return prepared.get();
  }

  private CompletionStage<Prepared> prepareBoth() {
    CompletableFuture<PreparedStatement> tenant =
        prepare(
            "DELETE FROM "
                + keyspace
                + ".sessions_by_cost WHERE tenant = ? AND cost_usd = ? AND session_id = ?");
    CompletableFuture<PreparedStatement> user =
        prepare(
            "DELETE FROM "
                + keyspace
                + ".user_sessions_by_cost"
                + " WHERE tenant = ? AND user_id = ? AND cost_usd = ? AND session_id = ?");
    return tenant.thenCombine(user, Prepared::new);
  }

  private CompletableFuture<PreparedStatement> prepare(String cql) {
    return session.prepareAsync(cql).toCompletableFuture();
  }
}
