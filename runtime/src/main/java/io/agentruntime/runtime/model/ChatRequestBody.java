package io.agentruntime.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON body of a streaming {@code POST /chat/completions} request for a {@link ModelRequest}.
 */
final class ChatRequestBody {

  private ChatRequestBody() {}

  static ObjectNode of(ObjectMapper mapper, String model, ModelRequest request) {
    ObjectNode body = mapper.createObjectNode();
    body.put("model", model);
    ArrayNode messages = body.putArray("messages");
    if (request.instructions() != null && !request.instructions().isEmpty()) {
      messages.addObject().put("role", "system").put("content", request.instructions());
    }
    for (ModelMessage message : request.messages()) {
      messages.add(message(mapper, message));
    }
    if (!request.tools().isEmpty()) {
      ArrayNode tools = body.putArray("tools");
      for (ToolSpec tool : request.tools()) {
        tools.add(tool(mapper, tool));
      }
    }
    body.put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    return body;
  }

  private static ObjectNode message(ObjectMapper mapper, ModelMessage message) {
    ObjectNode node = mapper.createObjectNode();
    node.put("role", message.role());
    switch (message.role()) {
      case "assistant" -> assistant(node, message);
      case "tool" -> node.put("tool_call_id", message.toolCallId()).put("content", text(message));
      default -> node.put("content", text(message));
    }
    return node;
  }

  // An assistant step that only called tools has no text: the API takes null content then.
  private static void assistant(ObjectNode node, ModelMessage message) {
    if (message.toolCalls().isEmpty()) {
      node.put("content", text(message));
      return;
    }
    String content = message.content();
    if (content == null || content.isEmpty()) {
      node.putNull("content");
    } else {
      node.put("content", content);
    }
    ArrayNode calls = node.putArray("tool_calls");
    for (ToolCall call : message.toolCalls()) {
      ObjectNode entry = calls.addObject().put("id", call.id()).put("type", "function");
      entry.putObject("function").put("name", call.name()).put("arguments", call.argumentsJson());
    }
  }

  private static ObjectNode tool(ObjectMapper mapper, ToolSpec spec) {
    ObjectNode tool = mapper.createObjectNode().put("type", "function");
    ObjectNode function = tool.putObject("function").put("name", spec.name());
    if (spec.description() != null && !spec.description().isEmpty()) {
      function.put("description", spec.description());
    }
    JsonNode parameters = spec.parameters();
    if (parameters == null || parameters.isNull() || parameters.isMissingNode()) {
      function.putObject("parameters").put("type", "object").putObject("properties");
    } else {
      function.set("parameters", parameters);
    }
    return tool;
  }

  private static String text(ModelMessage message) {
    return message.content() == null ? "" : message.content();
  }
}
