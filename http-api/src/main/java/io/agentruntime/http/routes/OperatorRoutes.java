package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.post;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.json.SessionSummaryBody;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.runtime.session.SessionService;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * An operator's controls of one session of the tenant: {@code POST /v1/sessions/{id}/suspend}
 * (optional body {@code {"reason"}}), {@code /resume}, {@code /terminate} and {@code /erase}. The
 * session decides, as for approvals: a session the caller may not see does not exist (404, another
 * tenant's always), and one it may see needs the operator role (403 otherwise).
 */
public final class OperatorRoutes {

  static final int MAX_REASON_CHARS = 1000;

  private final SessionService sessions;
  private final JsonBody body;

  OperatorRoutes(SessionService sessions, JsonBody body) {
    this.sessions = sessions;
    this.body = body;
  }

  /** The routes below {@code /v1/sessions/{id}}. */
  Route routes(Principal principal, String id) {
    return concat(
        path(
            "suspend",
            () ->
                post(
                    () ->
                        IdempotencyKeys.withKey(
                            idempotencyKey ->
                                body.optionalJson(
                                    json -> {
                                      String reason = reason(json);
                                      return Responses.ok(
                                          sessions
                                              .keyed(idempotencyKey)
                                              .suspend(
                                                  principal.tenant(),
                                                  id,
                                                  principal.caller(),
                                                  reason)
                                              .thenApply(SessionSummaryBody::of));
                                    })))),
        path(
            "resume",
            () ->
                post(
                    () ->
                        IdempotencyKeys.withKey(
                            idempotencyKey ->
                                Responses.ok(
                                    sessions
                                        .keyed(idempotencyKey)
                                        .resume(principal.tenant(), id, principal.caller())
                                        .thenApply(SessionSummaryBody::of))))),
        path(
            "terminate",
            () ->
                post(
                    () ->
                        IdempotencyKeys.withKey(
                            idempotencyKey ->
                                Responses.ok(
                                    sessions
                                        .keyed(idempotencyKey)
                                        .terminate(principal.tenant(), id, principal.caller())
                                        .thenApply(SessionSummaryBody::of))))),
        path(
            "erase",
            () ->
                post(
                    () ->
                        IdempotencyKeys.withKey(
                            idempotencyKey ->
                                Responses.ok(
                                    sessions
                                        .keyed(idempotencyKey)
                                        .erase(principal.tenant(), id, principal.caller())
                                        .thenApply(
                                            erased ->
                                                Map.of("id", erased, "status", "erased")))))));
  }

  private static String reason(Optional<JsonNode> json) {
    JsonNode reason = json.map(j -> j.path("reason")).orElse(null);
    if (reason == null || reason.isMissingNode() || reason.isNull()) {
      return null;
    }
    if (!reason.isTextual()) {
      throw ApiError.invalidField("reason must be a string");
    }
    if (reason.asText().length() > MAX_REASON_CHARS) {
      throw ApiError.invalidField("reason must be at most " + MAX_REASON_CHARS + " characters");
    }
    return reason.asText();
  }
}
