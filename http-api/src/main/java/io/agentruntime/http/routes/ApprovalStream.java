package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.events.SessionEventStream;
import io.agentruntime.http.json.Json;
import io.agentruntime.runtime.approvals.ApprovalFeed;
import io.agentruntime.runtime.session.Caller;
import io.agentruntime.runtime.session.LifecycleNotice;
import io.agentruntime.runtime.session.SessionService;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /v1/approvals/events}: the tenant's approval events live, as Server-Sent Events
 * (decision 0036), so that a page showing the listing drops a row decided elsewhere: {@code
 * approval_requested} with the listing's row, {@code approval_decided} and {@code approval_expired}
 * with {@code {id, sessionId, decision, by, at}}. A key sees the events of the sessions it may see,
 * and holds at most as many streams as for the session streams. Nothing is replayed: a client that
 * reconnects reads the listing again.
 */
final class ApprovalStream {

  private final SessionService sessions;
  private final ApprovalFeed feed;
  private final SessionEventStream streams;

  ApprovalStream(SessionService sessions, ApprovalFeed feed, SessionEventStream streams) {
    this.sessions = sessions;
    this.feed = feed;
    this.streams = streams;
  }

  Route route(Principal principal) {
    Caller caller = principal.caller();
    return onSuccess(
        streams.roomFor(principal),
        room ->
            extractRequest(
                request ->
                    respondWithHeader(
                        CacheControl.create(CacheDirectives.NO_CACHE),
                        () ->
                            complete(
                                HttpResponse.create()
                                    .withEntity(
                                        streams.sseOf(
                                            principal,
                                            request,
                                            feed.follow(principal.tenant())
                                                .mapAsync(
                                                    1, n -> visible(principal.tenant(), caller, n))
                                                .filter(Optional::isPresent)
                                                .map(n -> frame(n.get()))))))));
  }

  /** The notice when the caller may see its session (an operator: every one of the tenant). */
  private CompletionStage<Optional<LifecycleNotice>> visible(
      String tenant, Caller caller, LifecycleNotice n) {
    if (caller.operator()) {
      return CompletableFuture.completedFuture(Optional.of(n));
    }
    return sessions
        .approvals(tenant, n.sessionId(), caller)
        .handle((approvals, failure) -> failure == null ? Optional.of(n) : Optional.empty());
  }

  static ServerSentEvent frame(LifecycleNotice n) {
    JsonNode data = n.data();
    if (LifecycleNotice.APPROVAL_REQUESTED.equals(n.type())) {
      return ServerSentEvent.create(Json.text(data), "approval_requested");
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.set("id", data.get("id"));
    out.set("sessionId", data.get("sessionId"));
    out.set("decision", data.get("decision"));
    out.set("by", data.get("by"));
    out.set("at", data.get("at"));
    String type =
        LifecycleNotice.APPROVAL_EXPIRED.equals(n.type()) ? "approval_expired" : "approval_decided";
    return ServerSentEvent.create(Json.text(out), type);
  }
}
