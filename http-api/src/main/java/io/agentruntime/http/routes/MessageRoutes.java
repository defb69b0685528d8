package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.post;

import io.agentruntime.http.HttpSettings;
import io.agentruntime.http.auth.KeySlots;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.json.Json;
import io.agentruntime.http.json.MessageRequest;
import io.agentruntime.http.json.TranscriptBody;
import io.agentruntime.http.json.TurnBody;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.http.request.QueryParams;
import io.agentruntime.runtime.session.SessionService;
import io.agentruntime.runtime.session.Turn;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/sessions/{id}/messages}: POST sends a user message, which opens a turn (202, or 200
 * with the turn when {@code ?waitSeconds=} saw it settle); GET reads the transcript a page at a
 * time ({@code ?after=SEQ&limit=N}).
 */
public final class MessageRoutes {

  private final SessionService sessions;
  private final JsonBody body;
  private final HttpSettings settings;
  private final KeySlots waits;

  MessageRoutes(SessionService sessions, JsonBody body, HttpSettings settings, KeySlots waits) {
    this.sessions = sessions;
    this.body = body;
    this.settings = settings;
    this.waits = waits;
  }

  /** The routes of {@code /v1/sessions/{id}/messages}. */
  Route routes(Principal principal, String id) {
    return pathEnd(
        () -> concat(post(() -> send(principal, id)), get(() -> transcript(principal, id))));
  }

  /**
   * A page of the transcript: {@code limit} messages (default and most: settings) after sequence
   * number {@code after} (0), fewer when more would pass a page's bytes; {@code nextAfter} says
   * where the next page starts.
   */
  private Route transcript(Principal principal, String id) {
    return parameterOptional(
        "after",
        after ->
            parameterOptional(
                "limit",
                limit -> {
                  long from = QueryParams.eventId(after, "after");
                  int pageSize =
                      QueryParams.limit(
                          limit, settings.messagesDefaultLimit(), settings.messagesMaxLimit());
                  return Responses.ok(
                      sessions
                          .transcript(principal.tenant(), id, principal.caller(), from, pageSize)
                          .thenApply(TranscriptBody::of));
                }));
  }

  private Route send(Principal principal, String id) {
    return parameterOptional(
        "waitSeconds",
        waitParam ->
            optionalHeaderValueByName(
                "Idempotency-Key",
                header -> {
                  Duration wait = QueryParams.waitSeconds(waitParam, settings.maxWait());
                  String key = header.map(IdempotencyKeys::checked).orElse(null);
                  return body.json(
                      json -> {
                        MessageRequest message = MessageRequest.read(json);
                        Supplier<CompletionStage<Turn>> sending =
                            () ->
                                sessions.send(
                                    principal.tenant(),
                                    id,
                                    principal.caller(),
                                    message.content(),
                                    message.onBusy(),
                                    key,
                                    wait);
                        CompletionStage<Turn> turn =
                            wait.isZero()
                                ? sending.get()
                                : Waits.holding(waits, principal, sending);
                        return completeWithFuture(turn.thenApply(t -> answer(t, wait)));
                      });
                }));
  }

  private static HttpResponse answer(Turn turn, Duration wait) {
    if (!wait.isZero() && turn.settled()) {
      return Json.response(StatusCodes.OK, TurnBody.of(turn));
    }
    return Json.response(StatusCodes.ACCEPTED, TurnBody.Accepted.of(turn));
  }
}
