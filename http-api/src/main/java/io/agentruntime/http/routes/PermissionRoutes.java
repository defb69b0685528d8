package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.put;

import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.json.Fields;
import io.agentruntime.http.json.PermissionsRequest;
import io.agentruntime.http.json.SessionBody;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.runtime.session.PermissionPolicy;
import io.agentruntime.runtime.session.SessionCommand.ChangePermissions;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code PUT /v1/sessions/{id}/permissions}: replaces the tool policy; answers the session. */
public final class PermissionRoutes {

  private final SessionGateway gateway;
  private final JsonBody body;

  PermissionRoutes(SessionGateway gateway, JsonBody body) {
    this.gateway = gateway;
    this.body = body;
  }

  /** The routes below {@code /v1/sessions/{id}/permissions}. */
  Route routes(Principal principal, String id) {
    return pathEnd(
        () ->
            put(
                () ->
                    body.json(
                        json -> {
                          PermissionPolicy policy = PermissionsRequest.body(Fields.body(json));
                          return Responses.ok(
                              gateway
                                  .view(
                                      principal,
                                      id,
                                      (caller, replyTo) ->
                                          new ChangePermissions(caller, policy, replyTo))
                                  .thenApply(SessionBody::of));
                        })));
  }
}
