package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the agent is: its instructions, the name of a configured model provider, its budgets. {@code
 * profile} is the OpenAI Agents-API agent object a session was made from, kept to be echoed as it
 * was asked (name, reasoning, text, service tier, tools, the saved agent's id; decision 0025): null
 * for sessions of our own API and in events written before it existed. The runtime never reads it.
 */
public record AgentDefinition(String instructions, String model, Limits limits, JsonNode profile) {

  public AgentDefinition {
    profile = profile == null || profile.isNull() || profile.isMissingNode() ? null : profile;
  }

  public AgentDefinition(String instructions, String model, Limits limits) {
    this(instructions, model, limits, null);
  }

  AgentDefinition withLimits(Limits newLimits) {
    return new AgentDefinition(instructions, model, newLimits, profile);
  }
}
