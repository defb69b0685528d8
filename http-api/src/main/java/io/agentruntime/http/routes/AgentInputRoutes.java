package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;

import io.agentruntime.http.agents.InputEvent;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.runtime.session.OnBusy;
import io.agentruntime.runtime.session.SessionRefused;
import io.agentruntime.runtime.session.SessionService;
import io.agentruntime.runtime.session.SessionStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /v1/agents/sessions/{id}/events}: input events, 202 with an empty body once each is
 * accepted (section 3 of the reference, decision 0025). Every event of a request is read and
 * checked before the first acts. Under an {@code Idempotency-Key} each event is one keyed write of
 * our sessions (the key and its place in the request), so a retry answers 202 and changes nothing
 * again. A message waits behind a running turn (queued) until steering exists; a cancel ends the
 * active turn (nothing when there is none); an approval result decides our pending approval, with
 * our approval rules.
 */
final class AgentInputRoutes {

  private final SessionService sessions;
  private final JsonBody body;

  AgentInputRoutes(SessionService sessions, JsonBody body) {
    this.sessions = sessions;
    this.body = body;
  }

  Route post(Principal principal, String id) {
    return IdempotencyKeys.withKey(
        key ->
            body.json(
                json -> {
                  List<InputEvent> events = InputEvent.read(json);
                  events.stream()
                      .filter(e -> e instanceof InputEvent.ToolResult)
                      .findFirst()
                      .ifPresent(
                          e -> {
                            throw unknownCall(((InputEvent.ToolResult) e).callId());
                          });
                  CompletionStage<Void> done =
                      sessions
                          .get(principal.tenant(), id, principal.caller())
                          .thenAccept(
                              v -> {
                                if (v.status() == SessionStatus.CLOSED) {
                                  throw new SessionRefused(
                                      io.agentruntime.runtime.session.Problem.notFound());
                                }
                              });
                  for (int i = 0; i < events.size(); i++) {
                    InputEvent event = events.get(i);
                    String eventKey = key == null ? null : key + "#" + i;
                    done = done.thenCompose(ignored -> act(principal, id, event, eventKey));
                  }
                  return completeWithFuture(
                      done.thenApply(
                          ignored -> HttpResponse.create().withStatus(StatusCodes.ACCEPTED)));
                }));
  }

  private CompletionStage<Void> act(Principal principal, String id, InputEvent event, String key) {
    String tenant = principal.tenant();
    if (event instanceof InputEvent.Message m) {
      return sessions
          .send(tenant, id, principal.caller(), m.text(), OnBusy.QUEUE, key, Duration.ZERO)
          .thenApply(turn -> null);
    }
    if (event instanceof InputEvent.Cancel) {
      return sessions
          .get(tenant, id, principal.caller())
          .thenCompose(
              v -> {
                if (v.currentTurn() == null) {
                  return CompletableFuture.completedFuture(null);
                }
                return sessions
                    .keyed(key)
                    .cancelTurn(tenant, id, principal.caller(), v.currentTurn().id())
                    .handle(
                        (turn, failure) -> {
                          // A turn that ended meanwhile (or a retry after the first cancel) is the
                          // no-op the reference suggests.
                          if (failure != null && !isConflict(failure)) {
                            throw new CompletionException(failure);
                          }
                          return null;
                        });
              });
    }
    if (event instanceof InputEvent.ApprovalResult r) {
      return sessions
          .keyed(key)
          .decideApproval(
              tenant,
              id,
              principal.caller(),
              r.requestId(),
              r.approve() ? "approve" : "deny",
              null,
              null)
          .thenApply(approval -> null);
    }
    throw unknownCall(((InputEvent.ToolResult) event).callId());
  }

  /**
   * No client-executed tool call is ever pending here yet: the answer the SDK helpers expect for an
   * unknown call id (their retry looks for this message), refused before anything acts.
   */
  private static ApiError unknownCall(String callId) {
    return new ApiError(
        StatusCodes.BAD_REQUEST,
        "invalid_request_error",
        null,
        "Unknown pending tool call: " + callId,
        List.of());
  }

  private static boolean isConflict(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return cause instanceof SessionRefused refused
        && refused.problem().kind() == io.agentruntime.runtime.session.Problem.Kind.CONFLICT;
  }
}
