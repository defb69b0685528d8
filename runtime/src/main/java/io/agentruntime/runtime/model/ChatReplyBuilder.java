package io.agentruntime.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds the chunks of a streamed chat completion into one {@link ModelReply}: content deltas are
 * appended, tool calls are assembled by their {@code index} (id and name from the first delta that
 * has them, arguments concatenated), usage is read from whichever chunk carries it (the last one
 * with {@code stream_options.include_usage}). Not thread-safe: one stream feeds one builder.
 */
final class ChatReplyBuilder {

  private final StringBuilder text = new StringBuilder();
  private final TreeMap<Integer, PartialCall> calls = new TreeMap<>();
  private long inputTokens;
  private long outputTokens;
  private boolean finished;

  /** Folds one chunk and returns its content delta, or null when it has none. */
  String add(JsonNode chunk) {
    readUsage(chunk.path("usage"));
    JsonNode choice = chunk.path("choices").path(0);
    if (choice.isMissingNode()) {
      return null;
    }
    if (choice.hasNonNull("finish_reason")) {
      finished = true;
    }
    JsonNode delta = choice.path("delta");
    for (JsonNode call : delta.path("tool_calls")) {
      addCallDelta(call);
    }
    String content = delta.path("content").isTextual() ? delta.path("content").asText() : null;
    if (content == null || content.isEmpty()) {
      return null;
    }
    text.append(content);
    return content;
  }

  /** Whether a choice said why it stopped: a stream that ends before that was cut short. */
  boolean finished() {
    return finished;
  }

  ModelReply build() {
    List<ToolCall> toolCalls = new ArrayList<>();
    for (Map.Entry<Integer, PartialCall> entry : calls.entrySet()) {
      toolCalls.add(entry.getValue().toCall(entry.getKey()));
    }
    return new ModelReply(text.toString(), toolCalls, inputTokens, outputTokens);
  }

  /** The reply in a non-streaming {@code chat.completion} body. */
  static ModelReply fromCompletion(JsonNode body) {
    ChatReplyBuilder builder = new ChatReplyBuilder();
    builder.readUsage(body.path("usage"));
    JsonNode message = body.path("choices").path(0).path("message");
    if (message.path("content").isTextual()) {
      builder.text.append(message.path("content").asText());
    }
    int index = 0;
    for (JsonNode call : message.path("tool_calls")) {
      PartialCall partial = new PartialCall();
      partial.add(call);
      builder.calls.put(index++, partial);
    }
    return builder.build();
  }

  private void readUsage(JsonNode usage) {
    if (usage.isObject()) {
      inputTokens = usage.path("prompt_tokens").asLong(inputTokens);
      outputTokens = usage.path("completion_tokens").asLong(outputTokens);
    }
  }

  // Providers that omit the index send each call whole: a new id starts a new call.
  private void addCallDelta(JsonNode delta) {
    int index;
    if (delta.path("index").canConvertToInt()) {
      index = delta.path("index").asInt();
    } else {
      String id = delta.path("id").asText("");
      boolean continues =
          !calls.isEmpty() && (id.isEmpty() || id.equals(calls.lastEntry().getValue().id));
      index = continues ? calls.lastKey() : calls.size();
    }
    calls.computeIfAbsent(index, i -> new PartialCall()).add(delta);
  }

  private static final class PartialCall {
    private String id;
    private String name;
    private final StringBuilder arguments = new StringBuilder();

    void add(JsonNode delta) {
      if (id == null && !delta.path("id").asText("").isEmpty()) {
        id = delta.path("id").asText();
      }
      JsonNode function = delta.path("function");
      if (name == null && !function.path("name").asText("").isEmpty()) {
        name = function.path("name").asText();
      }
      JsonNode args = function.path("arguments");
      if (args.isTextual()) {
        arguments.append(args.asText());
      } else if (args.isObject()) {
        arguments.append(args);
      }
    }

    ToolCall toCall(int index) {
      String callId = id != null ? id : "call_" + index;
      return ToolCall.fromRaw(callId, name == null ? "" : name, arguments.toString());
    }
  }
}
