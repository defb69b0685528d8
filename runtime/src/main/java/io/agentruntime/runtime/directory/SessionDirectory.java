package io.agentruntime.runtime.directory;

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
}
