package io.agentruntime.runtime.session;

import java.math.BigDecimal;

/**
 * Model tokens spent by the session so far, and what they cost in USD at the prices configured when
 * each reply was journaled (0 for replies of providers without prices: cost unknown).
 */
public record Usage(long inputTokens, long outputTokens, BigDecimal costUsd) {
  public static final Usage NONE = new Usage(0, 0, BigDecimal.ZERO);

  public Usage {
    costUsd = costUsd == null ? BigDecimal.ZERO : costUsd;
  }

  /** This usage plus one reply's tokens and cost (null: unknown, counted as 0). */
  Usage plus(long input, long output, BigDecimal cost) {
    return new Usage(
        inputTokens + input, outputTokens + output, cost == null ? costUsd : costUsd.add(cost));
  }
}
