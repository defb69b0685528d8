package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.put;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.json.ChangeBody;
import io.agentruntime.http.json.Fields;
import io.agentruntime.http.json.ToolRequest;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.runtime.session.SessionService;
import io.agentruntime.runtime.tools.ToolConnection;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/sessions/{id}/tools/{name}}: connect (or replace) and disconnect one tool. Both answer
 * with what changed (the tool, or its name) and the session's {@code lastSeq} after it. An MCP
 * server is asked for its tools when it is connected; one that cannot be reached is refused (400)
 * and nothing changes.
 */
public final class ToolRoutes {

  private final SessionService sessions;
  private final JsonBody body;

  ToolRoutes(SessionService sessions, JsonBody body) {
    this.sessions = sessions;
    this.body = body;
  }

  /** The routes below {@code /v1/sessions/{id}/tools}. */
  Route routes(Principal principal, String id) {
    return path(
        segment(),
        name ->
            concat(
                put(
                    () ->
                        IdempotencyKeys.withKey(
                            idempotencyKey ->
                                body.json(
                                    json -> {
                                      ToolConnection tool =
                                          ToolRequest.named(Fields.body(json), name);
                                      return Responses.ok(
                                          sessions
                                              .keyed(idempotencyKey)
                                              .connectTool(
                                                  principal.tenant(), id, principal.caller(), tool)
                                              .thenApply(
                                                  s ->
                                                      ChangeBody.ToolConnected.of(
                                                          tool, s.lastSeq())));
                                    }))),
                delete(
                    () ->
                        IdempotencyKeys.withKey(
                            idempotencyKey ->
                                Responses.ok(
                                    sessions
                                        .keyed(idempotencyKey)
                                        .disconnectTool(
                                            principal.tenant(), id, principal.caller(), name)
                                        .thenApply(
                                            s ->
                                                new ChangeBody.ToolDisconnected(
                                                    name, s.lastSeq())))))));
  }
}
