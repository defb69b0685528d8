package io.agentruntime.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Whether Cassandra answers queries now: one cheap read of a local system table. Never fails and
 * never blocks; a session still connecting counts as not ready.
 */
public final class CassandraReadiness {

  private final CompletionStage<CqlSession> session;
  private final SimpleStatement probe;

  /**
   * @param session a session, possibly still connecting (as the plugin's is while Cassandra is
   *     down)
   */
  public CassandraReadiness(CompletionStage<CqlSession> session, Duration timeout) {
    this.session = session;
    this.probe =
        SimpleStatement.newInstance("SELECT release_version FROM system.local").setTimeout(timeout);
  }

  public static CassandraReadiness of(CqlSession session) {
    return new CassandraReadiness(
        CompletableFuture.completedFuture(session), Duration.ofSeconds(2));
  }

  public CompletionStage<Boolean> check() {
    CompletableFuture<CqlSession> connected = session.toCompletableFuture();
    if (!connected.isDone() || connected.isCompletedExceptionally() || connected.isCancelled()) {
      return CompletableFuture.completedFuture(false);
    }
    try {
      return connected
          .join()
          .executeAsync(probe)
          .thenApply(rows -> rows.one() != null)
          .exceptionally(e -> false);
    } catch (RuntimeException e) { // a closed session may refuse synchronously
      return CompletableFuture.completedFuture(false);
    }
  }
}
