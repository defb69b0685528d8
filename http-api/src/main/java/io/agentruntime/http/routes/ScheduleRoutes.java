package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.json.Json;
import io.agentruntime.http.json.ScheduleBody;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.runtime.session.SessionService;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/sessions/{id}/schedules[/{sid}]}: the session's schedules (docs/schedules.md). A new
 * one answers 201 with its id and {@code nextRunAt}; a bad one 400 naming the field, nothing set.
 */
final class ScheduleRoutes {

  private final SessionService sessions;
  private final JsonBody body;

  ScheduleRoutes(SessionService sessions, JsonBody body) {
    this.sessions = sessions;
    this.body = body;
  }

  /** The routes below {@code /v1/sessions/{id}/schedules}. */
  Route routes(Principal p, String id) {
    return concat(
        pathEnd(() -> concat(get(() -> list(p, id)), post(() -> create(p, id)))),
        path(segment(), sid -> delete(() -> remove(p, id, sid))));
  }

  private Route list(Principal p, String id) {
    return Responses.ok(
        sessions.listSchedules(p.tenant(), id, p.caller()).thenApply(ScheduleBody.ListBody::of));
  }

  private Route create(Principal p, String id) {
    return body.json(
        json ->
            completeWithFuture(
                sessions
                    .createSchedule(p.tenant(), id, p.caller(), ScheduleBody.request(json))
                    .thenApply(s -> Json.response(StatusCodes.CREATED, ScheduleBody.of(s)))));
  }

  private Route remove(Principal p, String id, String sid) {
    return Responses.ok(
        sessions
            .deleteSchedule(p.tenant(), id, p.caller(), sid)
            .thenApply(done -> new WebhookRoutes.Deleted(sid, "schedule", true)));
  }
}
