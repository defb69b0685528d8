package io.agentruntime.http.events;

import io.agentruntime.http.HttpSettings.EventSettings;
import io.agentruntime.http.json.EventBody;
import io.agentruntime.http.json.Json;
import io.agentruntime.runtime.Continuations;
import io.agentruntime.runtime.session.Caller;
import io.agentruntime.runtime.session.SessionCommand;
import io.agentruntime.runtime.session.SessionEntity;
import io.agentruntime.runtime.session.SessionReply;
import io.agentruntime.runtime.session.Sessions;
import io.agentruntime.runtime.session.StreamItem;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's events as Server-Sent Events: those journaled after a given id, read back from the
 * journal, then live ones as the session pushes them, each once and in order ({@code id:} the
 * sequence number, {@code event:} the type), and the model's text as it streams ({@code event:
 * delta}, no id). Each stream is an actor-backed source that the session knows as a follower; the
 * stream subscribes again every resubscribe interval (which finds the session after it moved or
 * restarted, and reports its last id, so that nothing journaled meanwhile is missed) and
 * unsubscribes when it ends. A quiet stream gets a comment line every keep-alive interval. Streams
 * end when the client goes away, and when the node shuts down (so that clients reconnect
 * elsewhere).
 */
public final class SessionEventStream {

  private static final Logger log = LoggerFactory.getLogger(SessionEventStream.class);

  private final ActorSystem<?> system;
  private final Sessions sessions;
  private final EventSettings settings;
  private final SharedKillSwitch shutdown = KillSwitches.shared("session-event-streams");

  public SessionEventStream(ActorSystem<?> system, Sessions sessions, EventSettings settings) {
    this.system = system;
    this.sessions = sessions;
    this.settings = settings;
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseServiceUnbind(),
            "http-api-end-event-streams",
            () -> {
              shutdown.shutdown();
              return CompletableFuture.completedFuture(Done.getInstance());
            });
  }

  /**
   * The events of session {@code tenant}/{@code sessionId} after event {@code after} (0: all), then
   * live ones, for a caller already known to see the session, as a chunked {@code
   * text/event-stream} body. Nothing runs until the response is sent; nothing is buffered beyond
   * the live buffer.
   */
  public HttpEntity.Chunked events(
      String tenant, String sessionId, Caller caller, long after, String requestId) {
    // Looked up before the response starts, so that a misconfigured plugin is a 500, not a broken
    // stream.
    CurrentEventsByPersistenceIdQuery journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, settings.readJournal());
    Source<ByteString, NotUsed> bytes =
        Source.fromMaterializer(
                (mat, attributes) ->
                    follow(tenant, sessionId, caller, after, journal, mat, requestId))
            .mapMaterializedValue(ignored -> NotUsed.getInstance())
            .map(item -> SseFrames.encode(frame(item)))
            .keepAlive(settings.keepAlive(), () -> SseFrames.KEEP_ALIVE)
            .via(shutdown.flow());
    return HttpEntities.create(ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), bytes);
  }

  private Source<StreamItem, NotUsed> follow(
      String tenant,
      String sessionId,
      Caller caller,
      long after,
      CurrentEventsByPersistenceIdQuery journal,
      Materializer mat,
      String requestId) {
    String entityId = SessionEntity.entityId(tenant, sessionId);
    String persistenceId = PersistenceId.of(SessionEntity.TYPE_KEY.name(), entityId).id();
    Pair<ActorRef<StreamItem>, Source<StreamItem, NotUsed>> live =
        ActorSource.<StreamItem>actorRef(
                item -> false,
                item -> Optional.empty(),
                settings.liveBuffer(),
                OverflowStrategy.dropHead())
            .preMaterialize(mat);
    ActorRef<StreamItem> follower = live.first();
    Source<JournalSequencer.Signal, NotUsed> heads =
        Source.tick(Duration.ZERO, settings.resubscribeInterval(), Done.getInstance())
            .mapAsync(1, tick -> subscribe(tenant, sessionId, caller, follower))
            .mapConcat(head -> head.map(List::of).orElse(List.of()))
            .mapMaterializedValue(cancellable -> NotUsed.getInstance());
    JournalSequencer sequencer = new JournalSequencer(journal, persistenceId, after, requestId);
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

  private void unsubscribe(String tenant, String sessionId, ActorRef<StreamItem> follower) {
    ClusterSharding.get(system)
        .entityRefFor(SessionEntity.TYPE_KEY, SessionEntity.entityId(tenant, sessionId))
        .tell(new SessionCommand.Unsubscribe(follower));
  }

  private static ServerSentEvent frame(StreamItem item) {
    if (item instanceof StreamItem.Journaled journaled) {
      return ServerSentEvent.create(
          Json.text(EventBody.of(journaled.event())),
          journaled.event().type(),
          Long.toString(journaled.seq()));
    }
    StreamItem.Delta delta = (StreamItem.Delta) item;
    return ServerSentEvent.create(
        Json.text(EventBody.delta(delta.turnId(), delta.text())), "delta");
  }
}
