package io.agentruntime.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A call the model asked for: its id (echoed back with the result), the tool's name, and the
 * arguments. {@code arguments} is the parsed JSON object, or null when the model sent text that is
 * not a JSON object ({@code rawArguments} keeps what it sent, for the error it will be told).
 */
public record ToolCall(String id, String name, JsonNode arguments, String rawArguments) {}
