package io.agentruntime.runtime.model;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The JSON body of a {@code POST /chat/completions} request for a {@link ModelRequest}: streamed
 * (Server-Sent Events, usage in the last chunk) when someone follows the answer as it comes, else
 * one JSON answer, which costs both sides less. Written straight to bytes: the conversation is most
 * of a request, and a tree of it would be built only to be written once.
 */
final class ChatRequestBody {

  private ChatRequestBody() {}

  static byte[] of(ObjectMapper mapper, String model, ModelRequest request, boolean stream)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024 + request.messages().size() * 160);
    try (JsonGenerator json = mapper.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      json.writeStartObject();
      json.writeStringField("model", model);
      json.writeArrayFieldStart("messages");
      if (request.instructions() != null && !request.instructions().isEmpty()) {
        json.writeStartObject();
        json.writeStringField("role", "system");
        json.writeStringField("content", request.instructions());
        json.writeEndObject();
      }
      for (ModelMessage message : request.messages()) {
        message(json, message);
      }
      json.writeEndArray();
      if (!request.tools().isEmpty()) {
        json.writeArrayFieldStart("tools");
        for (ToolSpec tool : request.tools()) {
          tool(mapper, json, tool);
        }
        json.writeEndArray();
      }
      if (stream) {
        json.writeBooleanField("stream", true);
        json.writeObjectFieldStart("stream_options");
        json.writeBooleanField("include_usage", true);
        json.writeEndObject();
      }
      json.writeEndObject();
    }
    return out.toByteArray();
  }

  private static void message(JsonGenerator json, ModelMessage message) throws IOException {
    json.writeStartObject();
    json.writeStringField("role", message.role());
    switch (message.role()) {
      case "assistant" -> assistant(json, message);
      case "tool" -> {
        json.writeStringField("tool_call_id", message.toolCallId());
        json.writeStringField("content", text(message));
      }
      default -> json.writeStringField("content", text(message));
    }
    json.writeEndObject();
  }

  // An assistant step that only called tools has no text: the API takes null content then.
  private static void assistant(JsonGenerator json, ModelMessage message) throws IOException {
    if (message.toolCalls().isEmpty()) {
      json.writeStringField("content", text(message));
      return;
    }
    String content = message.content();
    if (content == null || content.isEmpty()) {
      json.writeNullField("content");
    } else {
      json.writeStringField("content", content);
    }
    json.writeArrayFieldStart("tool_calls");
    for (ToolCall call : message.toolCalls()) {
      json.writeStartObject();
      json.writeStringField("id", call.id());
      json.writeStringField("type", "function");
      json.writeObjectFieldStart("function");
      json.writeStringField("name", call.name());
      json.writeStringField("arguments", call.argumentsJson());
      json.writeEndObject();
      json.writeEndObject();
    }
    json.writeEndArray();
  }

  private static void tool(ObjectMapper mapper, JsonGenerator json, ToolSpec spec)
      throws IOException {
    json.writeStartObject();
    json.writeStringField("type", "function");
    json.writeObjectFieldStart("function");
    json.writeStringField("name", spec.name());
    if (spec.description() != null && !spec.description().isEmpty()) {
      json.writeStringField("description", spec.description());
    }
    JsonNode parameters = spec.parameters();
    json.writeFieldName("parameters");
    if (parameters == null || parameters.isNull() || parameters.isMissingNode()) {
      json.writeStartObject();
      json.writeStringField("type", "object");
      json.writeObjectFieldStart("properties");
      json.writeEndObject();
      json.writeEndObject();
    } else {
      mapper.writeTree(json, parameters);
    }
    json.writeEndObject();
    json.writeEndObject();
  }

  private static String text(ModelMessage message) {
    return message.content() == null ? "" : message.content();
  }
}
