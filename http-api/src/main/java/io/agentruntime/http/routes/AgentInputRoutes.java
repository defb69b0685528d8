package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;

import io.agentruntime.http.agents.InputEvent;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.runtime.session.OnBusy;
import io.agentruntime.runtime.session.SessionRefused;
import io.agentruntime.runtime.session.SessionService;
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
 * again. A message starts a turn, or steers the running one (decision 0024); a cancel ends the
 * active turn (nothing when there is none); an approval result decides our pending approval, with
 * our approval rules; a tool result is the outcome of a client-run function call (decision 0023).
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
                  // No read of the session first: each write refuses what it must, and a
                  // closed session answers here as a missing one.
                  CompletionStage<Void> done = CompletableFuture.completedFuture(null);
                  for (int i = 0; i < events.size(); i++) {
                    InputEvent event = events.get(i);
                    String eventKey = key == null ? null : key + "#" + i;
                    done = done.thenCompose(ignored -> act(principal, id, event, eventKey));
                  }
                  return completeWithFuture(
                      done.handle(
                          (ignored, failure) -> {
                            if (failure != null) {
                              throw new CompletionException(closedAsMissing(failure));
                            }
                            return HttpResponse.create().withStatus(StatusCodes.ACCEPTED);
                          }));
                }));
  }

  private CompletionStage<Void> act(Principal principal, String id, InputEvent event, String key) {
    String tenant = principal.tenant();
    if (event instanceof InputEvent.Message m) {
      return sessions
          .send(tenant, id, principal.caller(), m.text(), OnBusy.STEER, key, Duration.ZERO)
          .thenApply(turn -> null);
    }
    if (event instanceof InputEvent.Cancel) {
      // No active turn: nothing changes, and the answer is the same 202.
      return sessions
          .keyed(key)
          .cancelActiveTurn(tenant, id, principal.caller())
          .thenApply(cancelled -> null);
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
    InputEvent.ToolResult t = (InputEvent.ToolResult) event;
    return sessions
        .keyed(key)
        .submitToolResult(tenant, id, principal.caller(), t.result())
        .handle(
            (turn, failure) -> {
              if (failure != null) {
                throw new CompletionException(asTheSdksExpect(failure));
              }
              return null;
            });
  }

  /** A write refused because the session is closed: here a closed session is not found. */
  private static Throwable closedAsMissing(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof SessionRefused refused
        && "session_closed".equals(refused.problem().code())) {
      return new SessionRefused(io.agentruntime.runtime.session.Problem.notFound());
    }
    return cause;
  }

  /**
   * An unknown or stale call id as the SDK helpers match it (their retry, under the same key, looks
   * for exactly this body); nothing was kept under the key.
   */
  private static Throwable asTheSdksExpect(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof SessionRefused refused
        && "unknown_tool_call".equals(refused.problem().code())) {
      return unknownCall(refused.problem().message());
    }
    return cause;
  }

  private static ApiError unknownCall(String message) {
    return new ApiError(StatusCodes.BAD_REQUEST, "invalid_request_error", null, message, List.of());
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
