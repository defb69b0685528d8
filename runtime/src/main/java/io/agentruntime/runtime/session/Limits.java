package io.agentruntime.runtime.session;

/**
 * Budgets of an agent: model steps and wall-clock seconds per turn (time spent waiting for a human
 * is not counted), and model tokens per session (0: no limit).
 */
public record Limits(int maxStepsPerTurn, int maxTurnSeconds, long maxSessionTokens) {

  public Limits(int maxStepsPerTurn, int maxTurnSeconds) {
    this(maxStepsPerTurn, maxTurnSeconds, 0);
  }

  Limits withMaxSessionTokens(long tokens) {
    return new Limits(maxStepsPerTurn, maxTurnSeconds, tokens);
  }
}
