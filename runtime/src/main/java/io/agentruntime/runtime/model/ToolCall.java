package io.agentruntime.runtime.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A call the model asked for: its id (echoed back with the result), the tool's name, and the
 * arguments. {@code arguments} is the parsed JSON object, or null when the model sent text that is
 * not a JSON object ({@code rawArguments} keeps what it sent, for the error it will be told).
 */
public record ToolCall(String id, String name, JsonNode arguments, String rawArguments) {

  /**
   * Arguments nested deeper are not taken: the journal's writer stops at 1000 levels, events
   * included.
   */
  static final int MAX_ARGUMENTS_DEPTH = 200;

  private static final ObjectMapper JSON =
      new ObjectMapper(
              com.fasterxml.jackson.core.JsonFactory.builder()
                  .streamReadConstraints(
                      com.fasterxml.jackson.core.StreamReadConstraints.builder()
                          .maxNestingDepth(MAX_ARGUMENTS_DEPTH)
                          .build())
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /**
   * A call from the arguments text a model sent: parsed when it is a JSON object, null otherwise.
   * Blank text counts as no arguments ({@code {}}), as some providers send it for tools without
   * any.
   */
  public static ToolCall fromRaw(String id, String name, String rawArguments) {
    String raw = rawArguments == null ? "" : rawArguments;
    return new ToolCall(id, name, parseObject(raw), raw);
  }

  /** The arguments as the JSON text a model expects back in the conversation. */
  public String argumentsJson() {
    if (rawArguments != null && !rawArguments.isBlank()) {
      return rawArguments;
    }
    return arguments == null ? "{}" : arguments.toString();
  }

  private static JsonNode parseObject(String raw) {
    if (raw.isBlank()) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode node = JSON.readTree(raw);
      return node != null && node.isObject() ? node : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }
}
