package io.agentruntime.runtime.directory;

import java.math.BigDecimal;

/**
 * What a session had spent when its line in the directory was written: model tokens, and their cost
 * in USD (0 for replies of providers without prices). The cost is kept without trailing zeros, so
 * that equal amounts are equal records and one position in the listing by cost.
 */
public record ListedUsage(long inputTokens, long outputTokens, BigDecimal costUsd) {

  public static final ListedUsage NONE = new ListedUsage(0, 0, BigDecimal.ZERO);

  public ListedUsage {
    costUsd = normalized(costUsd == null ? BigDecimal.ZERO : costUsd);
  }

  /** No trailing zeros and never a negative scale: {@code 0.50} is {@code 0.5}, 100 is 100. */
  public static BigDecimal normalized(BigDecimal amount) {
    BigDecimal plain = amount.stripTrailingZeros();
    return plain.scale() < 0 ? plain.setScale(0) : plain;
  }
}
