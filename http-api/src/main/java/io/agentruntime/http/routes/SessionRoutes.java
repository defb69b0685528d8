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
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.http.request.QueryParams;
import io.agentruntime.http.request.RequestIds;
import io.agentruntime.runtime.directory.SessionDirectory;
import io.agentruntime.runtime.directory.SessionPage;
import io.agentruntime.runtime.session.Limits;
import io.agentruntime.runtime.session.SessionCommand.CloseSession;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.session.SessionCommand.CreateSession;
import io.agentruntime.runtime.session.SessionCommand.GetSession;
import io.agentruntime.runtime.session.SessionReply;
import io.agentruntime.runtime.session.SessionView;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code /v1/sessions}: create (POST, or PUT under a chosen id), list, read and close sessions. */
public final class SessionRoutes {

  private static final Logger log = LoggerFactory.getLogger(SessionRoutes.class);
  private static final Set<String> STATUSES =
      Set.of("idle", "running", "awaiting_approval", "suspended", "closed");

  private final SessionGateway gateway;
  private final SessionDirectory directory;
  private final HttpSettings settings;
  private final JsonBody body;
  private final Limits defaultLimits;
  private final Duration directoryTimeout;

  SessionRoutes(
      SessionGateway gateway,
      SessionDirectory directory,
      HttpSettings settings,
      JsonBody body,
      Limits defaultLimits,
      Duration directoryTimeout) {
    this.gateway = gateway;
    this.directory = directory;
    this.settings = settings;
    this.body = body;
    this.defaultLimits = defaultLimits;
    this.directoryTimeout = directoryTimeout;
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
                    gateway.view(principal, id, GetSession::new).thenApply(SessionBody::of))),
        put(() -> createOrMatch(principal, id)),
        delete(
            () ->
                Responses.ok(
                    gateway.view(principal, id, CloseSession::new).thenApply(SessionBody::of))));
  }

  private Route create(Principal principal) {
    return optionalHeaderValueByName(
        "Idempotency-Key",
        header ->
            body.optionalJson(
                json -> {
                  SessionRequest request =
                      SessionRequest.read(
                          json.orElseGet(Json.MAPPER::createObjectNode), defaultLimits);
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
                      ask(principal, id, request, mode)
                          .thenApply(reply -> created(sessionOf(reply))));
                }));
  }

  private Route createOrMatch(Principal principal, String id) {
    return body.json(
        json -> {
          SessionRequest request = readForPut(json, id);
          return completeWithFuture(
              ask(principal, id, request, CreateMode.CREATE_OR_MATCH)
                  .thenApply(
                      reply ->
                          reply instanceof SessionReply.Created
                              ? created(sessionOf(reply))
                              : Json.response(StatusCodes.OK, SessionBody.of(sessionOf(reply)))));
        });
  }

  private SessionRequest readForPut(JsonNode json, String id) {
    SessionRequest request = SessionRequest.read(json, defaultLimits);
    if (request.id().isPresent() && !request.id().get().equals(id)) {
      throw ApiError.invalidField("id must be left out or equal the id in the path");
    }
    return request;
  }

  private CompletionStage<SessionReply> ask(
      Principal principal, String id, SessionRequest request, CreateMode mode) {
    return gateway.ask(
        principal,
        id,
        (caller, replyTo) -> new CreateSession(caller, request.spec(), mode, replyTo),
        SessionReply.class);
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
                                cursor -> {
                                  status
                                      .filter(s -> !STATUSES.contains(s))
                                      .ifPresent(
                                          s -> {
                                            throw ApiError.invalidField(
                                                "status must be idle, running, awaiting_approval, suspended or closed");
                                          });
                                  int pageSize =
                                      QueryParams.limit(
                                          limit,
                                          settings.sessionsDefaultLimit(),
                                          settings.sessionsMaxLimit());
                                  Optional<String> owner =
                                      principal.has(Role.OPERATOR)
                                          ? Optional.empty()
                                          : Optional.of(principal.user());
                                  CompletionStage<SessionPage> page =
                                      directory
                                          .list(
                                              principal.tenant(),
                                              owner,
                                              status,
                                              pageSize,
                                              QueryParams.cursor(cursor))
                                          .toCompletableFuture()
                                          .copy()
                                          .orTimeout(
                                              directoryTimeout.toMillis(), TimeUnit.MILLISECONDS);
                                  return Responses.ok(
                                      page.handle(
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
                                }))));
  }

  private static SessionView sessionOf(SessionReply reply) {
    if (reply instanceof SessionReply.Created c) {
      return c.session();
    }
    if (reply instanceof SessionReply.Current c) {
      return c.session();
    }
    throw new IllegalStateException("a create answered " + reply.getClass().getSimpleName());
  }

  private static HttpResponse created(SessionView session) {
    return Json.response(StatusCodes.CREATED, SessionBody.of(session))
        .addHeader(Location.create("/v1/sessions/" + session.id()));
  }
}
