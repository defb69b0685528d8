package io.agentruntime.runtime.session;

import io.agentruntime.runtime.directory.SessionDirectory;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Deletes an erased session's storage (actor-side): everything before the tombstone, its snapshots
 * and its directory line. The tombstone is journaled first, so from then on the id is refused
 * whatever happens to the deletion; a deletion cut off by a crash is done again at recovery, one
 * that failed when the operator erases again.
 */
final class Erasure {

  private final ActorContext<SessionCommand> ctx;
  private final SessionDirectory directory;
  private final Duration timeout;
  private final String persistenceId;
  private final String tenant;
  private final String sessionId;

  Erasure(
      ActorContext<SessionCommand> ctx,
      SessionDirectory directory,
      Duration timeout,
      String persistenceId,
      String tenant,
      String sessionId) {
    this.ctx = ctx;
    this.directory = directory;
    this.timeout = timeout;
    this.persistenceId = persistenceId;
    this.tenant = tenant;
    this.sessionId = sessionId;
  }

  /**
   * Deletes the erased session's storage for an operator, who hears {@code Erased} once it is gone,
   * or once {@code within} has passed, whichever comes first: the tombstone is journaled, so the id
   * is gone for good, and a deletion still running goes on (decision 0034). A deletion that failed
   * before is {@code erase_incomplete}.
   */
  void start(
      SessionState erased,
      ActorRef<SessionReply> operator,
      DeferredReplies replies,
      Duration within) {
    start(erased, replies.owe(operator, within, x -> new SessionReply.Erased(sessionId)));
  }

  /**
   * Deletes everything before the tombstone, and the directory entry; {@code ErasureEnded(owed)}
   * follows.
   */
  void start(SessionState erased, long owed) {
    CompletionStage<Done> deleted =
        JournalEraser.erase(ctx, persistenceId, erased.lastSeq() - 1)
            .thenCompose(done -> directory.remove(tenant, sessionId))
            .toCompletableFuture()
            .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    ctx.pipeToSelf(
        deleted,
        (done, failure) -> {
          if (failure != null) {
            ctx.getLog()
                .warn("Erasing session {} failed; erase it again to finish", sessionId, failure);
          }
          return new InternalCommand.ErasureEnded(
              failure == null ? null : String.valueOf(failure), owed);
        });
  }

  /** What the operator who erased hears once the deletion has ended. */
  SessionReply ended(InternalCommand.ErasureEnded c) {
    return c.failure() == null ? new SessionReply.Erased(sessionId) : incomplete();
  }

  /**
   * The deletion failed: the session is erased (its tombstone journaled), its storage not all gone.
   */
  static SessionReply incomplete() {
    return new SessionReply.Rejected(
        new Problem(
            Problem.Kind.INCOMPLETE,
            "erase_incomplete",
            "the session is erased but its storage was not fully deleted yet; erase it again",
            null));
  }
}
