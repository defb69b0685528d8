package io.agentruntime.http.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.runtime.session.Schedule;
import io.agentruntime.runtime.session.ScheduleRules;
import java.util.List;

/**
 * The JSON of {@code /v1/sessions/{id}/schedules}: a schedule as the API shows it, and its list.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScheduleBody(
    String id,
    String object,
    String message,
    String kind,
    String cron,
    String timezone,
    String missed,
    String nextRunAt,
    String createdAt) {

  public static ScheduleBody of(Schedule s) {
    return new ScheduleBody(
        s.id(),
        "schedule",
        s.message(),
        s.oneShot() ? "once" : "cron",
        s.cron(),
        s.timezone(),
        s.missed().wire(),
        s.nextRunAt().toString(),
        s.createdAt().toString());
  }

  /** {@code {"object": "list", "data": [...]}}, in the order the schedules were set. */
  public record ListBody(String object, List<ScheduleBody> data) {
    public static ListBody of(List<Schedule> schedules) {
      return new ListBody("list", schedules.stream().map(ScheduleBody::of).toList());
    }
  }

  /**
   * The body of {@code POST .../schedules}: {@code message} and one of {@code at}, {@code in} and
   * {@code cron} (with {@code timezone} and {@code missed}); the rules check the values.
   */
  public static ScheduleRules.Request request(JsonNode json) {
    ObjectNode body = Fields.body(json);
    return new ScheduleRules.Request(
        Fields.string(body, "message", "").orElse(null),
        Fields.string(body, "at", "").orElse(null),
        Fields.string(body, "in", "").orElse(null),
        Fields.string(body, "cron", "").orElse(null),
        Fields.string(body, "timezone", "").orElse(null),
        Fields.string(body, "missed", "").orElse(null));
  }
}
