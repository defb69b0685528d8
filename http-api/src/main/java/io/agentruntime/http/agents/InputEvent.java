package io.agentruntime.http.agents;

import static io.agentruntime.http.json.Fields.array;
import static io.agentruntime.http.json.Fields.asObject;
import static io.agentruntime.http.json.Fields.object;
import static io.agentruntime.http.json.Fields.requiredString;
import static io.agentruntime.http.json.Fields.value;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.json.Fields;
import java.util.ArrayList;
import java.util.List;

/**
 * One input event of {@code POST /v1/agents/sessions/{id}/events} (section 3 of the reference),
 * read and checked before any of a request's events acts, so that a refused request changes
 * nothing. Pure: table-tested.
 */
public sealed interface InputEvent {

  /** A user message: starts a turn on an idle session, else waits behind the running one. */
  record Message(String text) implements InputEvent {}

  /** Cancels the active turn; nothing when there is none. */
  record Cancel() implements InputEvent {}

  /** Decides pending approval {@code requestId}: approve, or deny (cancel counts as deny). */
  record ApprovalResult(String requestId, boolean approve) implements InputEvent {}

  /** A client-run function call's outcome (decision 0023). */
  record ToolResult(io.agentruntime.runtime.session.ClientToolResult result)
      implements InputEvent {}

  /** The events of a request body {@code {"events": [...]}}, at least one. */
  static List<InputEvent> read(JsonNode json) {
    ObjectNode body = Fields.body(json);
    ArrayNode events = array(body, "events", "").orElseThrow(() -> Fields.missing("events"));
    if (events.isEmpty()) {
      throw ApiError.invalidField("events", "events must hold at least one event");
    }
    List<InputEvent> out = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      String p = "events[" + i + "]";
      out.add(one(asObject(events.get(i), p), p));
    }
    return out;
  }

  private static InputEvent one(ObjectNode e, String p) {
    String type = requiredString(e, "type", p);
    return switch (type) {
      case "agent.session.input.message" ->
          new Message(
              messageText(
                  value(e, "input").orElseThrow(() -> Fields.missing(p + ".input")), p + ".input"));
      case "agent.session.input.cancel" -> new Cancel();
      case "agent.session.input.mcp_approval_request_result" -> {
        String requestId = requiredString(e, "request_id", p);
        ObjectNode response =
            object(e, "response", p).orElseThrow(() -> Fields.missing(p + ".response"));
        String decision =
            AgentConfig.oneOf(
                    response,
                    "decision",
                    p + ".response",
                    java.util.Set.of("approve", "deny", "cancel"))
                .orElseThrow(() -> Fields.missing(p + ".response.decision"));
        yield new ApprovalResult(requestId, decision.equals("approve"));
      }
      case "agent.session.input.tool_result" -> toolResult(e, p);
      default ->
          throw ApiError.invalidField(
              p + ".type", "input event type '" + type + "' is not supported here");
    };
  }

  /**
   * {@code turn_id}, {@code call_id}, {@code success} (default true) and either {@code output} (a
   * string, content parts, or null) or {@code error} (text).
   */
  private static ToolResult toolResult(ObjectNode e, String p) {
    String turnId = requiredString(e, "turn_id", p);
    String callId = requiredString(e, "call_id", p);
    boolean success = Fields.bool(e, "success", p).orElse(true);
    if (!success) {
      return new ToolResult(
          io.agentruntime.runtime.session.ClientToolResult.failed(
              turnId, callId, Fields.string(e, "error", p).orElse(null)));
    }
    JsonNode output = value(e, "output").orElse(null);
    if (output != null && !output.isTextual() && !output.isArray()) {
      throw Fields.wrongType(p + ".output", "a string, an array of content parts or null");
    }
    return new ToolResult(
        io.agentruntime.runtime.session.ClientToolResult.succeeded(turnId, callId, output));
  }

  /**
   * The text of {@code input}: a string, or user messages whose content is a string or {@code
   * input_text} parts (joined by blank lines). Images are not supported here (a 400).
   */
  static String messageText(JsonNode input, String p) {
    if (input.isTextual()) {
      return input.textValue();
    }
    if (!input.isArray()) {
      throw Fields.wrongType(p, "a string or an array of messages");
    }
    if (input.isEmpty()) {
      throw ApiError.invalidField(p, p + " must hold at least one message");
    }
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < input.size(); i++) {
      String mp = p + "[" + i + "]";
      ObjectNode message = asObject(input.get(i), mp);
      if (!"user".equals(requiredString(message, "role", mp))) {
        throw ApiError.invalidField(mp + ".role", mp + ".role must be user");
      }
      JsonNode content =
          value(message, "content").orElseThrow(() -> Fields.missing(mp + ".content"));
      if (content.isTextual()) {
        texts.add(content.textValue());
        continue;
      }
      if (!content.isArray()) {
        throw Fields.wrongType(mp + ".content", "a string or an array of content parts");
      }
      for (int j = 0; j < content.size(); j++) {
        String cp = mp + ".content[" + j + "]";
        ObjectNode part = asObject(content.get(j), cp);
        String type = requiredString(part, "type", cp);
        if (!type.equals("input_text")) {
          throw ApiError.invalidField(
              cp + ".type", "content part type '" + type + "' is not supported here");
        }
        texts.add(requiredString(part, "text", cp));
      }
    }
    return String.join("\n\n", texts);
  }
}
