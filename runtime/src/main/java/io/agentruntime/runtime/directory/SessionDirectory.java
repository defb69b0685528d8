package io.agentruntime.runtime.directory;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * Where sessions are listed by owner. The session entity writes its summary here after the change
 * is journaled (and again when it recovers, which heals a write lost to a crash); the API reads it
 * to list sessions without scanning the journal.
 */
public interface SessionDirectory {

  /** Inserts or replaces the summary of one session. Idempotent. */
  CompletionStage<Done> upsert(SessionSummary summary);

  /**
   * As {@link #upsert(SessionSummary)}, from a writer that knows the cost its previous write of the
   * session listed ({@code listedCostUsd}): a directory that keeps positions by cost moves the
   * session's position from there. Empty when the writer does not know (it just recovered).
   */
  default CompletionStage<Done> upsert(SessionSummary summary, Optional<BigDecimal> listedCostUsd) {
    return upsert(summary);
  }

  /** Removes every entry of one session (it was erased). Idempotent. */
  CompletionStage<Done> remove(String tenant, String sessionId);

  /**
   * One page of a tenant's sessions ordered by session id, optionally only one user's, optionally
   * only those with a status. The cursor is opaque: the {@code nextCursor} of the previous page.
   */
  CompletionStage<SessionPage> list(
      String tenant,
      Optional<String> user,
      Optional<String> status,
      int limit,
      Optional<String> cursor);

  /**
   * One page of a tenant's sessions, most expensive first ({@link CostPosition#ORDER}), optionally
   * only one user's, optionally only those with a status; each session once, at the cost of its
   * newest summary. Sessions whose summary has no usage (written before the directory kept it, and
   * not since) are not in it. The page goes on after {@code after}; its {@code nextCursor} is the
   * {@link CostPosition#cursor()} of its last session.
   */
  CompletionStage<SessionPage> listByCost(
      String tenant,
      Optional<String> user,
      Optional<String> status,
      int limit,
      Optional<CostPosition> after);
}
