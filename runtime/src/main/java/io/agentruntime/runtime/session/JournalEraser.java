package io.agentruntime.runtime.session;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.AbstractPersistentActor;
import org.apache.pekko.persistence.DeleteMessagesFailure;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsFailure;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.Recovery;
import org.apache.pekko.persistence.RecoveryCompleted;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;

/**
 * Deletes a session's journaled events up to a sequence number and all its snapshots, or only the
 * snapshots in a range, through the configured journal and snapshot plugins (Cassandra in a node,
 * the in-memory ones in tests). Typed persistence deletes only on a snapshot schedule, so a
 * short-lived classic persistent actor with the same persistence id asks the plugins: it replays
 * nothing and writes nothing, and the session entity, which asked, writes nothing meanwhile.
 * Idempotent.
 */
final class JournalEraser {

  private JournalEraser() {}

  /**
   * Starts the deletion as a child of {@code parent} (the session entity): it ends if the entity
   * stops.
   */
  static CompletionStage<Done> erase(
      ActorContext<?> parent, String persistenceId, long toSequenceNr) {
    return start(parent, persistenceId, toSequenceNr, SnapshotSelectionCriteria.latest());
  }

  /** Deletes the snapshots with sequence numbers from {@code from} to {@code to}, and no event. */
  static CompletionStage<Done> deleteSnapshots(
      ActorContext<?> parent, String persistenceId, long from, long to) {
    return start(
        parent, persistenceId, 0, SnapshotSelectionCriteria.create(to, Long.MAX_VALUE, from, 0));
  }

  private static CompletionStage<Done> start(
      ActorContext<?> parent,
      String persistenceId,
      long toSequenceNr,
      SnapshotSelectionCriteria snapshots) {
    CompletableFuture<Done> done = new CompletableFuture<>();
    Adapter.actorOf(
        parent,
        Props.create(
            Deleter.class, () -> new Deleter(persistenceId, toSequenceNr, snapshots, done)));
    return done;
  }

  private static final class Deleter extends AbstractPersistentActor {

    private final String persistenceId;
    private final long toSequenceNr;
    private final SnapshotSelectionCriteria snapshots;
    private final CompletableFuture<Done> done;
    private boolean eventsDeleted;
    private boolean snapshotsDeleted;

    Deleter(
        String persistenceId,
        long toSequenceNr,
        SnapshotSelectionCriteria snapshots,
        CompletableFuture<Done> done) {
      this.persistenceId = persistenceId;
      this.toSequenceNr = toSequenceNr;
      this.snapshots = snapshots;
      this.done = done;
    }

    @Override
    public String persistenceId() {
      return persistenceId;
    }

    @Override
    public Recovery recovery() {
      return Recovery.none();
    }

    @Override
    public Receive createReceiveRecover() {
      return receiveBuilder()
          .match(
              RecoveryCompleted.class,
              r -> {
                if (toSequenceNr > 0) {
                  deleteMessages(toSequenceNr);
                } else {
                  eventsDeleted = true;
                }
                deleteSnapshots(snapshots);
              })
          .build();
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(
              DeleteMessagesSuccess.class,
              m -> {
                eventsDeleted = true;
                finishWhenBoth();
              })
          .match(
              DeleteSnapshotsSuccess.class,
              m -> {
                snapshotsDeleted = true;
                finishWhenBoth();
              })
          .match(DeleteMessagesFailure.class, m -> fail(m.cause()))
          .match(DeleteSnapshotsFailure.class, m -> fail(m.cause()))
          .build();
    }

    @Override
    public void onRecoveryFailure(Throwable cause, scala.Option<Object> event) {
      done.completeExceptionally(cause);
    }

    private void finishWhenBoth() {
      if (eventsDeleted && snapshotsDeleted) {
        done.complete(Done.getInstance());
        getContext().stop(getSelf());
      }
    }

    private void fail(Throwable cause) {
      done.completeExceptionally(cause);
      getContext().stop(getSelf());
    }
  }
}
