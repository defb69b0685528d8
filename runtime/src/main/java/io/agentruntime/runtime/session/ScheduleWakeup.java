package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.agentruntime.runtime.model.ToolSpec;
import io.agentruntime.runtime.tools.ToolResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The tool {@code schedule_wakeup} every session offers its model (decision 0037): {@code message}
 * comes back as a user message {@code in} a duration or {@code at} an instant. Unlike the memory
 * tools it is no built-in run in place: its call is journaled and made like an external tool's,
 * under the session's policy like any tool (the {@code *} rule unless the policy names it), and it
 * sets a schedule on the session's {@link ScheduleEntity}. The schedule's id comes from the call,
 * so a call made again (after a crash) sets no second one.
 */
final class ScheduleWakeup {

  static final String NAME = "schedule_wakeup";

  static final ToolSpec SPEC =
      new ToolSpec(
          NAME,
          "Wake this session later: the message comes back to you as a user message either in a"
              + " duration (ISO-8601, e.g. PT10M) or at an instant (ISO-8601, e.g."
              + " 2026-01-31T09:00:00Z). Give exactly one of in and at.",
          schema(
              "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"},"
                  + "\"in\":{\"type\":\"string\"},\"at\":{\"type\":\"string\"}},"
                  + "\"required\":[\"message\"]}"));

  private ScheduleWakeup() {}

  /** What the model asked for, as a schedule request (a one-shot: no cron). */
  static ScheduleRules.Request request(JsonNode args) {
    return new ScheduleRules.Request(
        text(args, "message"), text(args, "at"), text(args, "in"), null, null, null);
  }

  private static String text(JsonNode args, String name) {
    JsonNode v = args == null ? null : args.get(name);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** The id of the schedule call {@code callId} of turn {@code turnId} sets. */
  static String scheduleId(String turnId, String callId) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((turnId + '\n' + callId).getBytes(StandardCharsets.UTF_8));
      return "sched_" + HexFormat.of().formatHex(digest, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The call's outcome from the schedules' reply. */
  static ToolResult result(ScheduleEntity.Reply reply, Throwable failure) {
    if (reply instanceof ScheduleEntity.Made made) {
      return new ToolResult.Succeeded(
          JsonNodeFactory.instance
              .objectNode()
              .put("scheduleId", made.schedule().id())
              .put("nextRunAt", made.schedule().nextRunAt().toString()));
    } else if (reply instanceof ScheduleEntity.Refused refused) {
      Problem p = refused.problem();
      return new ToolResult.Failed(
          "invalid_arguments", p.field() == null ? p.message() : p.field() + ": " + p.message());
    }
    return new ToolResult.Failed(
        "tool_error", "the schedule could not be set: " + String.valueOf(failure));
  }

  private static JsonNode schema(String json) {
    try {
      return new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
