package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.put;

import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.json.ChangeBody;
import io.agentruntime.http.json.Fields;
import io.agentruntime.http.json.PermissionsRequest;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.runtime.session.PermissionPolicy;
import io.agentruntime.runtime.session.SessionService;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code PUT /v1/sessions/{id}/permissions}: replaces the tool policy; answers the policy and the
 * session's {@code lastSeq} after the change.
 */
public final class PermissionRoutes {

  private final SessionService sessions;
  private final JsonBody body;

  PermissionRoutes(SessionService sessions, JsonBody body) {
    this.sessions = sessions;
    this.body = body;
  }

  /** The routes below {@code /v1/sessions/{id}/permissions}. */
  Route routes(Principal principal, String id) {
    return pathEnd(
        () ->
            put(
                () ->
                    IdempotencyKeys.withKey(
                        idempotencyKey ->
                            body.json(
                                json -> {
                                  PermissionPolicy policy =
                                      PermissionsRequest.body(Fields.body(json));
                                  return Responses.ok(
                                      sessions
                                          .keyed(idempotencyKey)
                                          .changePermissions(
                                              principal.tenant(), id, principal.caller(), policy)
                                          .thenApply(
                                              s ->
                                                  ChangeBody.PermissionsChanged.of(
                                                      policy, s.lastSeq())));
                                }))));
  }
}
