package io.agentruntime.runtime.session;

/** What the agent is: its instructions, the name of a configured model provider, its budgets. */
public record AgentDefinition(String instructions, String model, Limits limits) {}
