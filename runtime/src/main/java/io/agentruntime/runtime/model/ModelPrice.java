package io.agentruntime.runtime.model;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * What a provider charges, in USD per million input and output tokens (decision 0039, "Cost").
 * Exact decimals, so that a session's sum of many small costs is the sum a bill would show.
 */
public record ModelPrice(BigDecimal inputPerMillion, BigDecimal outputPerMillion) {

  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  /** Digits kept after the point: a millionth of a cent, far below any price per token. */
  static final int SCALE = 8;

  public ModelPrice {
    if (inputPerMillion == null || inputPerMillion.signum() < 0) {
      throw new IllegalArgumentException("input-per-million must be a number, 0 or more");
    }
    if (outputPerMillion == null || outputPerMillion.signum() < 0) {
      throw new IllegalArgumentException("output-per-million must be a number, 0 or more");
    }
  }

  /** The USD cost of a call that counted these tokens, to {@link #SCALE} decimals. */
  public BigDecimal cost(long inputTokens, long outputTokens) {
    BigDecimal micro =
        inputPerMillion
            .multiply(BigDecimal.valueOf(Math.max(0, inputTokens)))
            .add(outputPerMillion.multiply(BigDecimal.valueOf(Math.max(0, outputTokens))));
    return micro.divide(MILLION, SCALE, RoundingMode.HALF_UP);
  }
}
