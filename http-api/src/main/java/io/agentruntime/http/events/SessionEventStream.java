package io.agentruntime.http.events;

import io.agentruntime.http.HttpSettings.EventSettings;
import io.agentruntime.http.json.EventBody;
import io.agentruntime.http.json.Json;
import io.agentruntime.runtime.session.StreamItem;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A session's events as Server-Sent Events: each journaled event with {@code id:} its sequence
 * number and {@code event:} its type, and the model's text as it streams ({@code event: delta}, no
 * id). A quiet stream gets a comment line every keep-alive interval. Streams end when the client
 * goes away, and when the node shuts down (so that clients reconnect elsewhere). What is streamed,
 * and in which order, is the sessions' business ({@link
 * io.agentruntime.runtime.session.SessionService#events}).
 */
public final class SessionEventStream {

  private final EventSettings settings;
  private final SharedKillSwitch shutdown = KillSwitches.shared("session-event-streams");

  public SessionEventStream(ActorSystem<?> system, EventSettings settings) {
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

  /** {@code items} as a chunked {@code text/event-stream} body. */
  public HttpEntity.Chunked sse(Source<StreamItem, NotUsed> items) {
    return HttpEntities.create(
        ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM),
        items
            .map(item -> SseFrames.encode(frame(item)))
            .keepAlive(settings.keepAlive(), () -> SseFrames.KEEP_ALIVE)
            .via(shutdown.flow()));
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
