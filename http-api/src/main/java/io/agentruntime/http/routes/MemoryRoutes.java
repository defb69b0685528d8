package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.put;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.json.ChangeBody;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.runtime.session.SessionService;
import java.util.LinkedHashMap;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/sessions/{id}/memory[/{key}]}: the session's memory, as a whole or one key. A write
 * answers with the key as it now is and the session's {@code lastSeq} after it.
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
                                sessions.memoryValue(
                                    principal.tenant(), id, principal.caller(), key))),
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
                                                    .thenApply(
                                                        s ->
                                                            new ChangeBody.MemoryWritten(
                                                                key, value, s.lastSeq())))))),
                    delete(
                        () ->
                            IdempotencyKeys.withKey(
                                idempotencyKey ->
                                    Responses.ok(
                                        sessions
                                            .keyed(idempotencyKey)
                                            .deleteMemory(
                                                principal.tenant(), id, principal.caller(), key)
                                            .thenApply(
                                                s ->
                                                    new ChangeBody.MemoryDeleted(
                                                        key, s.lastSeq()))))))));
  }
}
