package io.agentruntime.runtime.session;

/** Per-turn budgets of an agent: model steps and wall-clock seconds. */
public record Limits(int maxStepsPerTurn, int maxTurnSeconds) {}
