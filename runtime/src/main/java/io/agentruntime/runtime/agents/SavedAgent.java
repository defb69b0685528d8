package io.agentruntime.runtime.agents;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.CborSerializable;
import java.time.Instant;

/**
 * An agent a tenant saved through the Agents API: its id, the agent object as the API resolved it
 * ({@code body}: model, instructions, tools ... without id and timestamps), when it was made and
 * last changed. The runtime keeps it and never interprets {@code body} (decision 0026).
 */
public record SavedAgent(String id, JsonNode body, Instant createdAt, Instant updatedAt)
    implements CborSerializable {}
