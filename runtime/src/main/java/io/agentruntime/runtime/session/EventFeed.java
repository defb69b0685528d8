package io.agentruntime.runtime.session;

import io.agentruntime.runtime.Continuations;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's events for one follower: those journaled after a given id, read back from the
 * journal, then live ones as the session pushes them, each once and in order, and the model's text
 * as it streams. Each stream is an actor-backed source that the session knows as a follower; the
 * stream subscribes again every resubscribe interval (which finds the session after it moved or
 * restarted, and reports its last id, so that nothing journaled meanwhile is missed) and
 * unsubscribes when it ends.
 */
final class EventFeed {

  private static final Logger log = LoggerFactory.getLogger(EventFeed.class);

  private final ActorSystem<?> system;
  private final Sessions sessions;
  private final EventStreamSettings settings;

  EventFeed(ActorSystem<?> system, Sessions sessions, EventStreamSettings settings) {
    this.system = system;
    this.sessions = sessions;
    this.settings = settings;
  }

  /**
   * The events of {@code tenant}/{@code sessionId} after {@code after}, for a caller already known
   * to see the session. Nothing runs until the source does; nothing is buffered beyond the live
   * buffer.
   */
  Source<StreamItem, NotUsed> events(
      String tenant, String sessionId, Caller caller, long after, String requestId) {
    // Looked up before the stream starts, so that a misconfigured plugin fails the request rather
    // than a stream already under way.
    CurrentEventsByPersistenceIdQuery journal = readJournal();
    return Source.fromMaterializer(
            (mat, attributes) -> follow(tenant, sessionId, caller, after, journal, mat, requestId))
        .mapMaterializedValue(ignored -> NotUsed.getInstance());
  }

  private CurrentEventsByPersistenceIdQuery readJournal() {
    if (settings.readJournal().isEmpty()) {
      throw new IllegalStateException(
          "agent-runtime.session.events.read-journal names no Persistence Query plugin");
    }
    return PersistenceQuery.get(system)
        .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, settings.readJournal());
  }

  private Source<StreamItem, NotUsed> follow(
      String tenant,
      String sessionId,
      Caller caller,
      long after,
      CurrentEventsByPersistenceIdQuery journal,
      Materializer mat,
      String requestId) {
    Pair<ActorRef<StreamItem>, Source<StreamItem, NotUsed>> live = live(mat);
    return sequenced(
        tenant,
        sessionId,
        caller,
        live,
        Duration.ZERO,
        new JournalSequencer(journal, persistenceId(tenant, sessionId), after, requestId));
  }

  /**
   * Opens a stream with one ask: the follower is made first, and the session takes it with the same
   * {@link SessionCommand.Glance} that reads the view, so the events after the view's {@code
   * lastSeq} are exactly what it is sent (the next resubscription, one interval later, checks that
   * none was lost). A follower whose stream is never run ends after the materializer's subscription
   * timeout, and the session, which watches it, lets it go.
   */
  CompletionStage<SessionService.Followed> open(
      String tenant, String sessionId, Caller caller, Materializer mat, String requestId) {
    CurrentEventsByPersistenceIdQuery journal = readJournal();
    Pair<ActorRef<StreamItem>, Source<StreamItem, NotUsed>> live = live(mat);
    ActorRef<StreamItem> follower = live.first();
    return sessions
        .ask(tenant, sessionId, replyTo -> new SessionCommand.Glance(caller, follower, replyTo))
        .handle(
            (reply, failure) -> {
              if (failure == null && reply instanceof SessionReply.Glanced glanced) {
                SessionView view = glanced.view();
                JournalSequencer sequencer =
                    JournalSequencer.subscribedAt(
                        journal, persistenceId(tenant, sessionId), view.lastSeq(), requestId);
                return new SessionService.Followed(
                    view,
                    sequenced(
                        tenant,
                        sessionId,
                        caller,
                        live,
                        settings.resubscribeInterval(),
                        sequencer));
              }
              // It may have taken the follower all the same (an answer that came too late).
              unsubscribe(tenant, sessionId, follower);
              if (failure != null) {
                throw failure instanceof CompletionException c
                    ? c
                    : new CompletionException(failure);
              }
              if (reply instanceof SessionReply.Rejected rejected) {
                throw new SessionRefused(rejected.problem());
              }
              throw new IllegalStateException(
                  "session answered " + reply.getClass().getSimpleName() + " to a glance");
            });
  }

  private static String persistenceId(String tenant, String sessionId) {
    return PersistenceId.of(
            SessionEntity.TYPE_KEY.name(), SessionEntity.entityId(tenant, sessionId))
        .id();
  }

  /** The source the session pushes to, run at once so that its actor can be subscribed. */
  private Pair<ActorRef<StreamItem>, Source<StreamItem, NotUsed>> live(Materializer mat) {
    return ActorSource.<StreamItem>actorRef(
            item -> false,
            item -> Optional.empty(),
            settings.liveBuffer(),
            OverflowStrategy.dropHead())
        .preMaterialize(mat);
  }

  /**
   * {@code live} in journal order by {@code sequencer}, subscribed again every resubscribe interval
   * (the first time after {@code firstSubscription}); unsubscribed when it ends.
   */
  private Source<StreamItem, NotUsed> sequenced(
      String tenant,
      String sessionId,
      Caller caller,
      Pair<ActorRef<StreamItem>, Source<StreamItem, NotUsed>> live,
      Duration firstSubscription,
      JournalSequencer sequencer) {
    ActorRef<StreamItem> follower = live.first();
    Source<JournalSequencer.Signal, NotUsed> heads =
        Source.tick(firstSubscription, settings.resubscribeInterval(), Done.getInstance())
            .mapAsync(1, tick -> subscribe(tenant, sessionId, caller, follower))
            .mapConcat(head -> head.map(List::of).orElse(List.of()))
            .mapMaterializedValue(cancellable -> NotUsed.getInstance());
    return live.second()
        .<JournalSequencer.Signal>map(JournalSequencer.Signal.Pushed::new)
        .merge(heads, true)
        .flatMapConcat(sequencer::next)
        .takeWhile(sequencer::inOrder)
        .watchTermination(
            (notUsed, done) -> {
              // Off the Scala future's own completion stage first (decision 0010).
              Continuations.on(system.executionContext(), done)
                  .whenComplete(
                      (ok, failure) -> {
                        if (failure != null) {
                          log.debug(
                              "Event stream of session {}/{} ended: {}",
                              tenant,
                              sessionId,
                              failure.toString());
                        }
                        unsubscribe(tenant, sessionId, follower);
                      });
              return notUsed;
            });
  }

  private void unsubscribe(String tenant, String sessionId, ActorRef<StreamItem> follower) {
    ClusterSharding.get(system)
        .entityRefFor(SessionEntity.TYPE_KEY, SessionEntity.entityId(tenant, sessionId))
        .tell(new SessionCommand.Unsubscribe(follower));
  }

  /**
   * The session's last event id, or nothing this time (it did not answer; the next tick tries
   * again).
   */
  private CompletionStage<Optional<JournalSequencer.Signal>> subscribe(
      String tenant, String sessionId, Caller caller, ActorRef<StreamItem> follower) {
    return sessions
        .ask(tenant, sessionId, replyTo -> new SessionCommand.Subscribe(caller, follower, replyTo))
        .handle(
            (reply, failure) -> {
              if (reply instanceof SessionReply.Subscribed subscribed) {
                return Optional.of(new JournalSequencer.Signal.Head(subscribed.lastSeq()));
              }
              log.debug(
                  "Session {}/{} did not take a subscription: {}",
                  tenant,
                  sessionId,
                  failure != null ? failure.toString() : reply);
              return Optional.empty();
            });
  }
}
