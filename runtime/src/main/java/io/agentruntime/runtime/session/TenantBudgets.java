package io.agentruntime.runtime.session;

import java.math.BigDecimal;

/**
 * A tenant's monthly budgets, part of its policy (decision 0045): the model tokens ({@code
 * monthlyTokens}) and their cost in USD ({@code monthlyCost}) all its sessions together may spend
 * in a calendar month (UTC). 0 or null: no limit. Absent in policies written before them: none.
 */
public record TenantBudgets(long monthlyTokens, BigDecimal monthlyCost) {

  /** No monthly budget. */
  public static final TenantBudgets NONE = new TenantBudgets(0, null);

  /** The budget field {@code PUT /v1/policy} and a raise name for the tokens. */
  public static final String MONTHLY_TOKENS = "monthlyTokens";

  /** The budget field {@code PUT /v1/policy} and a raise name for the cost in USD. */
  public static final String MONTHLY_COST = "monthlyCost";

  public TenantBudgets {
    monthlyCost = monthlyCost == null || monthlyCost.signum() == 0 ? null : monthlyCost;
  }

  /** Whether the tokens are bounded. */
  public boolean tokensLimited() {
    return monthlyTokens > 0;
  }

  /** Whether the cost is bounded. */
  public boolean costLimited() {
    return monthlyCost != null;
  }

  /**
   * These budgets with {@code budget} ({@link #MONTHLY_TOKENS} or {@link #MONTHLY_COST}) at least
   * {@code value}: a raise never lowers a budget that someone raised further meanwhile.
   */
  public TenantBudgets raised(String budget, BigDecimal value) {
    if (MONTHLY_COST.equals(budget)) {
      return new TenantBudgets(
          monthlyTokens,
          monthlyCost != null && monthlyCost.compareTo(value) >= 0 ? monthlyCost : value);
    }
    long tokens = value.longValueExact();
    return new TenantBudgets(Math.max(monthlyTokens, tokens), monthlyCost);
  }
}
