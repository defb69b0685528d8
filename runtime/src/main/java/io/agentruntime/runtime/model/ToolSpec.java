package io.agentruntime.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;

/** A tool as the model sees it: a function name, what it does, a JSON Schema of its arguments. */
public record ToolSpec(String name, String description, JsonNode parameters) {}
