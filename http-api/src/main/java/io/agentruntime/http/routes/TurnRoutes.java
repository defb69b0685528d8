package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.agentruntime.http.HttpSettings;
import io.agentruntime.http.auth.KeySlots;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.json.ToolResultRequest;
import io.agentruntime.http.json.TurnBody;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.http.request.QueryParams;
import io.agentruntime.runtime.session.SessionService;
import java.time.Duration;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/sessions/{id}/turns[/{turnId}[/cancel|/tool-results]]}: the session's turns newest
 * first, one turn, optionally waiting ({@code ?waitSeconds=}) until it settles, cancelling one, and
 * the client's results of the function calls it runs.
 */
public final class TurnRoutes {

  private final SessionService sessions;
  private final HttpSettings settings;
  private final KeySlots waits;
  private final JsonBody body;

  TurnRoutes(SessionService sessions, HttpSettings settings, KeySlots waits, JsonBody body) {
    this.sessions = sessions;
    this.settings = settings;
    this.waits = waits;
    this.body = body;
  }

  /** The routes below {@code /v1/sessions/{id}/turns}. */
  Route routes(Principal principal, String id) {
    return concat(
        pathEnd(() -> get(() -> list(principal, id))),
        path(
            segment(),
            turnId ->
                get(
                    () ->
                        parameterOptional(
                            "waitSeconds",
                            waitParam -> {
                              Duration wait =
                                  QueryParams.waitSeconds(waitParam, settings.maxWait());
                              if (wait.isZero()) {
                                return Responses.ok(
                                    sessions
                                        .getTurn(principal.tenant(), id, principal.caller(), turnId)
                                        .thenApply(TurnBody::of));
                              }
                              return Responses.ok(
                                  Waits.holding(
                                      waits,
                                      principal,
                                      () ->
                                          sessions
                                              .getTurn(
                                                  principal.tenant(),
                                                  id,
                                                  principal.caller(),
                                                  turnId)
                                              .thenCompose(
                                                  found ->
                                                      sessions.awaitTurn(
                                                          principal.tenant(),
                                                          id,
                                                          principal.caller(),
                                                          found,
                                                          wait))
                                              .thenApply(TurnBody::of)));
                            }))),
        path(segment().slash("cancel"), turnId -> post(() -> cancel(principal, id, turnId))),
        path(
            segment().slash("tool-results"),
            turnId -> post(() -> toolResult(principal, id, turnId))));
  }

  /**
   * The outcome of a function call the client ran (decision 0023): 200 with the turn. A call that
   * does not wait for the client is a 400 {@code unknown_tool_call}, which is not kept under the
   * Idempotency-Key.
   */
  private Route toolResult(Principal principal, String id, String turnId) {
    return IdempotencyKeys.withKey(
        idempotencyKey ->
            body.json(
                json ->
                    Responses.ok(
                        sessions
                            .keyed(idempotencyKey)
                            .submitToolResult(
                                principal.tenant(),
                                id,
                                principal.caller(),
                                ToolResultRequest.read(turnId, json))
                            .thenApply(TurnBody::of))));
  }

  /**
   * Ends a queued or running turn; its open tool calls get a cancellation outcome. An ended turn is
   * a 409.
   */
  private Route cancel(Principal principal, String id, String turnId) {
    return IdempotencyKeys.withKey(
        idempotencyKey ->
            Responses.ok(
                sessions
                    .keyed(idempotencyKey)
                    .cancelTurn(principal.tenant(), id, principal.caller(), turnId)
                    .thenApply(TurnBody::of)));
  }

  private Route list(Principal principal, String id) {
    return parameterOptional(
        "limit",
        limit ->
            parameterOptional(
                "cursor",
                cursor -> {
                  int pageSize =
                      QueryParams.limit(
                          limit, settings.turnsDefaultLimit(), settings.turnsMaxLimit());
                  String after = QueryParams.cursor(cursor).orElse(null);
                  return Responses.ok(
                      sessions
                          .listTurns(principal.tenant(), id, principal.caller(), pageSize, after)
                          .thenApply(
                              page ->
                                  new TurnBody.Page(
                                      page.turns().stream().map(TurnBody::of).toList(),
                                      page.nextAfter())));
                }));
  }
}
