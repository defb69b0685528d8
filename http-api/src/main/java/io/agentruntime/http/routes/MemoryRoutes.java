package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.put;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.json.SessionBody;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.runtime.session.SessionCommand.DeleteMemory;
import io.agentruntime.runtime.session.SessionCommand.GetSession;
import io.agentruntime.runtime.session.SessionCommand.WriteMemory;
import java.util.LinkedHashMap;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/sessions/{id}/memory[/{key}]}: the session's memory, as a whole or one key. A write
 * answers with the session as it is after it.
 */
public final class MemoryRoutes {

  private final SessionGateway gateway;
  private final JsonBody body;

  MemoryRoutes(SessionGateway gateway, JsonBody body) {
    this.gateway = gateway;
    this.body = body;
  }

  /** The routes below {@code /v1/sessions/{id}/memory}. */
  Route routes(Principal principal, String id) {
    return concat(
        pathEnd(
            () ->
                get(
                    () ->
                        Responses.ok(
                            gateway
                                .view(principal, id, GetSession::new)
                                .thenApply(s -> new LinkedHashMap<>(s.memory()))))),
        path(
            segment(),
            key ->
                concat(
                    get(
                        () ->
                            Responses.ok(
                                gateway
                                    .view(principal, id, GetSession::new)
                                    .thenApply(s -> entry(s.memory().get(key), key)))),
                    put(
                        () ->
                            body.json(
                                value ->
                                    Responses.ok(
                                        gateway
                                            .view(
                                                principal,
                                                id,
                                                (caller, replyTo) ->
                                                    new WriteMemory(caller, key, value, replyTo))
                                            .thenApply(SessionBody::of)))),
                    delete(
                        () ->
                            Responses.ok(
                                gateway
                                    .view(
                                        principal,
                                        id,
                                        (caller, replyTo) -> new DeleteMemory(caller, key, replyTo))
                                    .thenApply(SessionBody::of))))));
  }

  private static JsonNode entry(JsonNode value, String key) {
    if (value == null) {
      throw new ApiError(
          StatusCodes.NOT_FOUND, "memory_key_not_found", "no memory under key " + key);
    }
    return value;
  }
}
