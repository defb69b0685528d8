package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.mapResponse;

import io.agentruntime.runtime.session.SessionService;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code X-Agent-Node} on session responses, errors included: the node ({@code host:port} of its
 * cluster address) hosting the session's entity, for operators. It is what the session's shard last
 * said through this node, so it is absent only before any session of that shard answered here.
 */
final class NodeHeader {

  static final String NAME = "X-Agent-Node";

  private final SessionService sessions;
  private final ExceptionHandler errors;

  NodeHeader(SessionService sessions, ExceptionHandler errors) {
    this.sessions = sessions;
    this.errors = errors;
  }

  /** Around the routes of one session. */
  Route session(String tenant, String sessionId, Supplier<Route> inner) {
    return mapResponse(
        response -> with(response, tenant, Optional.of(sessionId)),
        () -> handleExceptions(errors, inner));
  }

  /** Around the collection: a created session is named by the response's {@code Location}. */
  Route collection(String tenant, Supplier<Route> inner) {
    return mapResponse(
        response ->
            with(
                response,
                tenant,
                response
                    .getHeader(Location.class)
                    .map(location -> location.getUri().path())
                    .map(path -> path.substring(path.lastIndexOf('/') + 1))),
        () -> handleExceptions(errors, inner));
  }

  private HttpResponse with(HttpResponse response, String tenant, Optional<String> sessionId) {
    return sessionId
        .flatMap(id -> sessions.hostOf(tenant, id))
        .map(node -> response.addHeader(RawHeader.create(NAME, node)))
        .orElse(response);
  }
}
