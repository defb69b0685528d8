package io.agentruntime.http.events;

import io.agentruntime.http.ClientConnection;
import io.agentruntime.http.HttpSettings.EventSettings;
import io.agentruntime.http.auth.KeySlots;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.json.EventBody;
import io.agentruntime.http.json.Json;
import io.agentruntime.runtime.session.StreamItem;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import scala.concurrent.ExecutionContextExecutor;

/**
 * A session's events as Server-Sent Events: each journaled event with {@code id:} its sequence
 * number and {@code event:} its type, and the model's text as it streams ({@code event: delta}, no
 * id). A quiet stream gets a comment line every keep-alive interval. Streams end when the client
 * goes away (as soon as it closes its connection), when the node shuts down (so that clients
 * reconnect elsewhere), and when the API key they were opened with is removed from the keys file;
 * an API key holds at most {@code max-streams-per-key} of them open on a node. What is streamed,
 * and in which order, is the sessions' business ({@link
 * io.agentruntime.runtime.session.SessionService#events}).
 */
public final class SessionEventStream {

  private final EventSettings settings;
  private final SharedKillSwitch shutdown = KillSwitches.shared("session-event-streams");
  private final KeySlots open;
  private final Function<Principal, CompletionStage<Boolean>> keyStillValid;
  private final Duration keyCheckInterval;
  private final Scheduler scheduler;
  private final ExecutionContextExecutor dispatcher;

  /** How long {@link #roomFor} waits after each probe of a full key's streams, and how often. */
  private static final Duration PROBE_PAUSE = Duration.ofMillis(25);

  private static final int PROBES = 60;

  /**
   * @param open the streams each API key holds open
   * @param keyStillValid whether a stream's key is still configured for its principal; asked every
   *     {@code keyCheckInterval}
   */
  public SessionEventStream(
      ActorSystem<?> system,
      EventSettings settings,
      KeySlots open,
      Function<Principal, CompletionStage<Boolean>> keyStillValid,
      Duration keyCheckInterval) {
    this.settings = settings;
    this.open = open;
    this.keyStillValid = keyStillValid;
    this.keyCheckInterval = keyCheckInterval;
    this.scheduler = system.classicSystem().scheduler();
    this.dispatcher = system.executionContext();
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
   * Done when the principal's key has room for one more stream; failed with 429 {@code
   * too_many_streams} when it has none. A client that closed its stream is not seen by the server
   * until the next write to it fails (a keep-alive, every {@code keep-alive}): a client that opens
   * a stream per turn, as the OpenAI SDKs' stream helpers do, would find its key full of streams
   * nobody reads. So when the key looks full, every stream of the key writes a comment, and again
   * (the first write to a closed connection draws a reset, a later one fails and ends the stream),
   * until the key has room or {@code PROBES} rounds went by.
   */
  public CompletionStage<Done> roomFor(Principal principal) {
    return roomFor(principal.keyId(), PROBES);
  }

  private CompletionStage<Done> roomFor(String key, int probesLeft) {
    if (!open.full(key)) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    if (probesLeft == 0) {
      return CompletableFuture.failedFuture(tooManyStreams());
    }
    open.probe(key);
    return Patterns.after(PROBE_PAUSE, scheduler, dispatcher, () -> roomFor(key, probesLeft - 1));
  }

  private static ApiError tooManyStreams() {
    return ApiError.tooManyOpen(
        "too_many_streams",
        "this API key has as many event streams open as it may; close one or retry later");
  }

  /**
   * {@code items} as a chunked {@code text/event-stream} body for {@code principal}, counted
   * against its key while it runs and ended when its key is revoked or the client of {@code
   * request} closes its connection.
   */
  public HttpEntity.Chunked sse(
      Principal principal, HttpRequest request, Source<StreamItem, NotUsed> items) {
    return sseOf(principal, request, items.map(SessionEventStream::frame));
  }

  /**
   * As {@link #sse}, for events framed already (the Agents API's, which carry no {@code id:}):
   * keep-alive comments, the key's count, and the ends on shutdown and key removal alike.
   */
  public HttpEntity.Chunked sseOf(
      Principal principal, HttpRequest request, Source<ServerSentEvent, NotUsed> events) {
    Source<ByteString, NotUsed> frames =
        events
            .map(SseFrames::encode)
            .keepAlive(settings.keepAlive(), () -> SseFrames.KEEP_ALIVE)
            .via(
                new KeyHeldStream(
                    open,
                    principal.keyId(),
                    () -> keyStillValid.apply(principal),
                    keyCheckInterval,
                    ClientConnection.gone(request)))
            .via(shutdown.flow());
    return HttpEntities.create(ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), frames);
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
