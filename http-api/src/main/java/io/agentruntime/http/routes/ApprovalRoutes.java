package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.json.ApprovalBody;
import io.agentruntime.http.json.DecisionRequest;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.runtime.session.SessionService;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/sessions/{id}/approvals[/{approvalId}]}: the approvals waiting for a human, and one
 * decision. The session decides who may decide (the approver role, 403 otherwise) and refuses a
 * second decision or one after the deadline (409).
 */
public final class ApprovalRoutes {

  private final SessionService sessions;
  private final JsonBody body;

  ApprovalRoutes(SessionService sessions, JsonBody body) {
    this.sessions = sessions;
    this.body = body;
  }

  /** The routes below {@code /v1/sessions/{id}/approvals}. */
  Route routes(Principal principal, String id) {
    return concat(
        pathEnd(
            () ->
                get(
                    () ->
                        Responses.ok(
                            sessions
                                .approvals(principal.tenant(), id, principal.caller())
                                .thenApply(
                                    approvals ->
                                        approvals.stream().map(ApprovalBody::of).toList())))),
        path(
            segment(),
            approvalId ->
                post(
                    () ->
                        IdempotencyKeys.withKey(
                            idempotencyKey ->
                                body.json(
                                    json -> {
                                      DecisionRequest d = DecisionRequest.read(json);
                                      return Responses.ok(
                                          sessions
                                              .keyed(idempotencyKey)
                                              .decideApproval(
                                                  principal.tenant(),
                                                  id,
                                                  principal.caller(),
                                                  approvalId,
                                                  d.decision(),
                                                  d.comment(),
                                                  d.result())
                                              .thenApply(ApprovalBody::of));
                                    })))));
  }
}
