package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.put;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.HttpSettings;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.auth.Role;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.json.Json;
import io.agentruntime.http.json.SessionBody;
import io.agentruntime.http.json.SessionListBody;
import io.agentruntime.http.json.SessionRequest;
import io.agentruntime.http.json.SessionSummaryBody;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.http.request.RequestIds;
import io.agentruntime.http.request.SessionListQuery;
import io.agentruntime.runtime.directory.SessionPage;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.session.SessionService;
import io.agentruntime.runtime.session.SessionSummary;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code /v1/sessions}: create (POST, or PUT under a chosen id), list, read and close sessions. */
public final class SessionRoutes {

  private static final Logger log = LoggerFactory.getLogger(SessionRoutes.class);

  private final SessionService sessions;
  private final HttpSettings settings;
  private final JsonBody body;

  SessionRoutes(SessionService sessions, HttpSettings settings, JsonBody body) {
    this.sessions = sessions;
    this.settings = settings;
    this.body = body;
  }

  /** {@code /v1/sessions} itself. */
  Route collection(Principal principal) {
    return concat(post(() -> create(principal)), get(() -> list(principal)));
  }

  /** {@code /v1/sessions/{id}}. */
  Route session(Principal principal, String id) {
    return concat(
        get(
            () ->
                Responses.ok(
                    sessions
                        .get(principal.tenant(), id, principal.caller())
                        .thenApply(SessionBody::of))),
        // A PUT is idempotent by itself; its key is checked like every write's.
        put(() -> IdempotencyKeys.withKey(idempotencyKey -> createOrMatch(principal, id))),
        delete(
            () ->
                IdempotencyKeys.withKey(
                    idempotencyKey ->
                        Responses.ok(
                            sessions
                                .keyed(idempotencyKey)
                                .close(principal.tenant(), id, principal.caller())
                                .thenApply(SessionSummaryBody::of)))));
  }

  private Route create(Principal principal) {
    return optionalHeaderValueByName(
        "Idempotency-Key",
        header ->
            body.optionalJson(
                json -> {
                  SessionRequest request =
                      SessionRequest.read(
                          json.orElseGet(Json.MAPPER::createObjectNode), sessions.defaultLimits());
                  Optional<String> key = header.map(IdempotencyKeys::checked);
                  String id =
                      request
                          .id()
                          .orElseGet(
                              () ->
                                  key.map(k -> IdempotencyKeys.sessionId(principal.user(), k))
                                      .orElseGet(IdempotencyKeys::newSessionId));
                  // With a key, a retry of the same request must find the session its first attempt
                  // made.
                  CreateMode mode =
                      key.isPresent() ? CreateMode.CREATE_OR_MATCH : CreateMode.CREATE_NEW;
                  return completeWithFuture(
                      create(principal, id, request, mode)
                          .thenApply(creation -> created(creation.session())));
                }));
  }

  private Route createOrMatch(Principal principal, String id) {
    return body.json(
        json -> {
          SessionRequest request = readForPut(json, id);
          return completeWithFuture(
              create(principal, id, request, CreateMode.CREATE_OR_MATCH)
                  .thenApply(
                      creation ->
                          creation.created()
                              ? created(creation.session())
                              : Json.response(
                                  StatusCodes.OK, SessionSummaryBody.of(creation.session()))));
        });
  }

  private SessionRequest readForPut(JsonNode json, String id) {
    SessionRequest request = SessionRequest.read(json, sessions.defaultLimits());
    if (request.id().isPresent() && !request.id().get().equals(id)) {
      throw ApiError.invalidField("id must be left out or equal the id in the path");
    }
    return request;
  }

  private CompletionStage<SessionService.Creation> create(
      Principal principal, String id, SessionRequest request, CreateMode mode) {
    return sessions.create(principal.tenant(), id, principal.caller(), request.spec(), mode);
  }

  private Route list(Principal principal) {
    return extractRequest(
        request ->
            parameterOptional(
                "status",
                status ->
                    parameterOptional(
                        "limit",
                        limit ->
                            parameterOptional(
                                "cursor",
                                cursor ->
                                    parameterOptional(
                                        "sort",
                                        sort -> {
                                          SessionListQuery query =
                                              SessionListQuery.read(
                                                  status,
                                                  limit,
                                                  cursor,
                                                  sort,
                                                  settings.sessionsDefaultLimit(),
                                                  settings.sessionsMaxLimit());
                                          return Responses.ok(
                                              page(principal, query)
                                                  .handle(
                                                      (p, failure) -> {
                                                        if (failure != null) {
                                                          RequestIds.logWith(
                                                              RequestIds.of(request),
                                                              () ->
                                                                  log.warn(
                                                                      "Listing sessions of tenant {} failed: {}",
                                                                      principal.tenant(),
                                                                      failure.toString()));
                                                          throw ApiError.storageUnavailable(
                                                              settings.retryAfter());
                                                        }
                                                        return SessionListBody.of(p);
                                                      }));
                                        })))));
  }

  /** The page asked for: an operator's of the whole tenant, anyone else's of their own sessions. */
  private CompletionStage<SessionPage> page(Principal principal, SessionListQuery query) {
    Optional<String> owner =
        principal.has(Role.OPERATOR) ? Optional.empty() : Optional.of(principal.user());
    return query.byCost()
        ? sessions.listByCost(
            principal.tenant(), owner, query.status(), query.limit(), query.after())
        : sessions.list(principal.tenant(), owner, query.status(), query.limit(), query.cursor());
  }

  private static HttpResponse created(SessionSummary session) {
    return Json.response(StatusCodes.CREATED, SessionSummaryBody.of(session))
        .addHeader(Location.create("/v1/sessions/" + session.id()));
  }
}
