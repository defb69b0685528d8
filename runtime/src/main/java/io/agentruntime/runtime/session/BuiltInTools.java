package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.agentruntime.runtime.model.ToolSpec;
import io.agentruntime.runtime.session.SessionEvent.MemoryDeleted;
import io.agentruntime.runtime.session.SessionEvent.MemoryWritten;
import io.agentruntime.runtime.session.SessionEvent.ToolCallFailed;
import io.agentruntime.runtime.session.SessionEvent.ToolCallSucceeded;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The memory tools every session offers its model. They touch nothing but the session's own memory,
 * so a call runs in place: its outcome is journaled in the same batch as the decision to call it,
 * and nothing is ever in flight.
 */
final class BuiltInTools {

  static final String MEMORY_READ = "memory_read";
  static final String MEMORY_WRITE = "memory_write";
  static final String MEMORY_DELETE = "memory_delete";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the model is told of them; parsed once, as the catalog is built for every model call. */
  static final List<ToolSpec> SPECS =
      List.of(
          new ToolSpec(
              MEMORY_READ,
              "Read the value stored in the session's memory under a key.",
              schema(
                  "{\"type\":\"object\",\"properties\":{\"key\":{\"type\":\"string\"}},\"required\":[\"key\"]}")),
          new ToolSpec(
              MEMORY_WRITE,
              "Store any JSON value in the session's memory under a key.",
              schema(
                  "{\"type\":\"object\",\"properties\":{\"key\":{\"type\":\"string\"},\"value\":{}},\"required\":[\"key\",\"value\"]}")),
          new ToolSpec(
              MEMORY_DELETE,
              "Delete a key from the session's memory.",
              schema(
                  "{\"type\":\"object\",\"properties\":{\"key\":{\"type\":\"string\"}},\"required\":[\"key\"]}")));

  private final SessionValidation validation;
  private final int maxMemoryEntries;

  BuiltInTools(SessionValidation validation, int maxMemoryEntries) {
    this.validation = validation;
    this.maxMemoryEntries = maxMemoryEntries;
  }

  /** Runs call {@code callId} of built-in {@code tool}: its effect and its one outcome. */
  void run(EventBatch b, String turnId, String callId, String tool, JsonNode args, Instant now) {
    SessionState s = b.state();
    String key = args.path("key").asText("");
    switch (tool) {
      case MEMORY_READ ->
          b.add(
              new ToolCallSucceeded(
                  turnId,
                  callId,
                  s.memory().getOrDefault(key, JsonNodeFactory.instance.nullNode()),
                  now));
      case MEMORY_DELETE -> {
        if (s.memory().containsKey(key)) {
          b.add(new MemoryDeleted(key, "agent", now));
        }
        b.add(
            new ToolCallSucceeded(
                turnId, callId, JsonNodeFactory.instance.objectNode().put("deleted", key), now));
      }
      default -> {
        JsonNode value = args.get("value");
        Optional<Problem> problem =
            validation
                .memoryEntry(key, value, "memory.")
                .or(
                    () ->
                        !s.memory().containsKey(key) && s.memory().size() >= maxMemoryEntries
                            ? Optional.of(Problem.tooLarge("memory", "memory is full"))
                            : Optional.empty());
        if (problem.isPresent()) {
          b.add(
              new ToolCallFailed(
                  turnId, callId, "invalid_arguments", problem.get().message(), now));
        } else {
          b.add(new MemoryWritten(key, value, "agent", now));
          b.add(
              new ToolCallSucceeded(
                  turnId, callId, JsonNodeFactory.instance.objectNode().put("written", key), now));
        }
      }
    }
  }

  private static JsonNode schema(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
