package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeader;

import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.events.SessionEventStream;
import io.agentruntime.http.request.QueryParams;
import io.agentruntime.http.request.RequestIds;
import io.agentruntime.runtime.session.SessionService;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /v1/sessions/{id}/events}: the session's journal as Server-Sent Events, from the start
 * or after the event a client names ({@code Last-Event-ID}, which a reconnecting client sends, wins
 * over {@code ?after=}), then live. Whether the caller may see the session is settled before the
 * stream starts, so a refusal is an ordinary error response.
 */
public final class EventRoutes {

  private final SessionService sessions;
  private final SessionEventStream events;

  EventRoutes(SessionService sessions, SessionEventStream events) {
    this.sessions = sessions;
    this.events = events;
  }

  /** The routes below {@code /v1/sessions/{id}/events}. */
  Route routes(Principal principal, String id) {
    return pathEnd(
        () ->
            get(
                () ->
                    optionalHeaderValueByName(
                        "Last-Event-ID",
                        header ->
                            parameterOptional(
                                "after", param -> stream(principal, id, after(header, param))))));
  }

  private Route stream(Principal principal, String id, long after) {
    return extractRequest(
        request ->
            onSuccess(
                events
                    .roomFor(principal)
                    .thenCompose(
                        room ->
                            sessions.events(
                                principal.tenant(),
                                id,
                                principal.caller(),
                                after,
                                RequestIds.of(request))),
                items ->
                    respondWithHeader(
                        CacheControl.create(CacheDirectives.NO_CACHE),
                        () ->
                            complete(
                                HttpResponse.create()
                                    .withEntity(events.sse(principal, request, items))))));
  }

  private static long after(Optional<String> header, Optional<String> param) {
    long fromParam = QueryParams.eventId(param, "after");
    Optional<String> lastEventId = header.map(String::trim).filter(v -> !v.isEmpty());
    return lastEventId.isPresent() ? QueryParams.eventId(lastEventId, "Last-Event-ID") : fromParam;
  }
}
