package io.agentruntime.runtime.session;

import java.math.BigDecimal;

/**
 * Budgets of an agent: model steps and wall-clock seconds per turn (time spent waiting for a human
 * is not counted), model tokens per session (0: no limit), and the session's model cost in USD
 * (null or 0: no limit; absent from agents defined before cost budgets).
 */
public record Limits(
    int maxStepsPerTurn, int maxTurnSeconds, long maxSessionTokens, BigDecimal maxSessionCost) {

  /** Whether the session's cost is bounded. */
  public boolean costLimited() {
    return maxSessionCost != null && maxSessionCost.signum() > 0;
  }

  Limits withMaxSessionTokens(long tokens) {
    return new Limits(maxStepsPerTurn, maxTurnSeconds, tokens, maxSessionCost);
  }

  Limits withMaxSessionCost(BigDecimal cost) {
    return new Limits(maxStepsPerTurn, maxTurnSeconds, maxSessionTokens, cost);
  }
}
