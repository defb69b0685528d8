package io.agentruntime.runtime.session;

import io.agentruntime.runtime.directory.CostPosition;
import io.agentruntime.runtime.directory.InMemorySessionDirectory;
import io.agentruntime.runtime.directory.SessionDirectory;
import io.agentruntime.runtime.directory.SessionPage;
import io.agentruntime.runtime.directory.SessionSummary;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.Done;

/**
 * An in-memory directory that remembers every write it was asked for and can be told to lose them,
 * as a directory on an unavailable store would.
 */
final class RecordingDirectory implements SessionDirectory {

  private final InMemorySessionDirectory stored = new InMemorySessionDirectory();
  private final List<SessionSummary> writes = new CopyOnWriteArrayList<>();
  private final List<Optional<BigDecimal>> listedCosts = new CopyOnWriteArrayList<>();
  private volatile boolean failing;

  private volatile boolean hanging;

  void failWrites(boolean failing) {
    this.failing = failing;
  }

  /** Writes from now on never complete, as on a store that stalls. */
  void hangWrites(boolean hanging) {
    this.hanging = hanging;
  }

  /** Every summary the entity tried to write, in order, including failed ones. */
  List<SessionSummary> writes() {
    return List.copyOf(writes);
  }

  /**
   * For each write made through {@link #upsert(SessionSummary, Optional)}, in order, the cost its
   * writer said the previous write listed.
   */
  List<Optional<BigDecimal>> listedCosts() {
    return List.copyOf(listedCosts);
  }

  @Override
  public CompletionStage<Done> upsert(SessionSummary summary, Optional<BigDecimal> listedCostUsd) {
    listedCosts.add(listedCostUsd);
    return upsert(summary);
  }

  @Override
  public CompletionStage<Done> upsert(SessionSummary summary) {
    writes.add(summary);
    if (hanging) {
      return new CompletableFuture<>();
    }
    if (failing) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("directory unavailable (test)"));
    }
    return stored.upsert(summary);
  }

  @Override
  public CompletionStage<Done> remove(String tenant, String sessionId) {
    if (failing) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("directory unavailable (test)"));
    }
    return stored.remove(tenant, sessionId);
  }

  @Override
  public CompletionStage<SessionPage> list(
      String tenant,
      Optional<String> user,
      Optional<String> status,
      int limit,
      Optional<String> cursor) {
    return stored.list(tenant, user, status, limit, cursor);
  }

  @Override
  public CompletionStage<SessionPage> listByCost(
      String tenant,
      Optional<String> user,
      Optional<String> status,
      int limit,
      Optional<CostPosition> after) {
    return stored.listByCost(tenant, user, status, limit, after);
  }

  /** The tenant's listing as the API would show it, first page of up to 100. */
  List<SessionSummary> listed(String tenant) {
    return list(tenant, Optional.empty(), Optional.empty(), 100, Optional.empty())
        .toCompletableFuture()
        .join()
        .sessions();
  }
}
