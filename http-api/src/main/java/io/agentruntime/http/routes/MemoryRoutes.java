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
import io.agentruntime.runtime.session.SessionService;
import java.util.LinkedHashMap;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/sessions/{id}/memory[/{key}]}: the session's memory, as a whole or one key. A write
 * answers with the session as it is after it.
 */
public final class MemoryRoutes {

  private final SessionService sessions;
  private final JsonBody body;

  MemoryRoutes(SessionService sessions, JsonBody body) {
    this.sessions = sessions;
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
                            sessions
                                .get(principal.tenant(), id, principal.caller())
                                .thenApply(s -> new LinkedHashMap<>(s.memory()))))),
        path(
            segment(),
            key ->
                concat(
                    get(
                        () ->
                            Responses.ok(
                                sessions
                                    .get(principal.tenant(), id, principal.caller())
                                    .thenApply(s -> entry(s.memory().get(key), key)))),
                    put(
                        () ->
                            IdempotencyKeys.withKey(
                                idempotencyKey ->
                                    body.json(
                                        value ->
                                            Responses.ok(
                                                sessions
                                                    .keyed(idempotencyKey)
                                                    .writeMemory(
                                                        principal.tenant(),
                                                        id,
                                                        principal.caller(),
                                                        key,
                                                        value)
                                                    .thenApply(SessionBody::of))))),
                    delete(
                        () ->
                            IdempotencyKeys.withKey(
                                idempotencyKey ->
                                    Responses.ok(
                                        sessions
                                            .keyed(idempotencyKey)
                                            .deleteMemory(
                                                principal.tenant(), id, principal.caller(), key)
                                            .thenApply(SessionBody::of)))))));
  }

  private static JsonNode entry(JsonNode value, String key) {
    if (value == null) {
      throw new ApiError(
          StatusCodes.NOT_FOUND, "memory_key_not_found", "no memory under key " + key);
    }
    return value;
  }
}
