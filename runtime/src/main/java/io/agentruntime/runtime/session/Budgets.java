package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.runtime.session.SessionEvent.BudgetExceeded;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * The session's budgets (decision 0039): whether a model call may start, and what an approver's
 * raise must look like. Pure: the turn machine and the driver ask it of a state. Two budgets: the
 * model tokens ({@code maxSessionTokens}) and their cost in USD ({@code maxSessionCost}).
 */
final class Budgets {

  /** The token budget. */
  static final String TOKENS = "tokens";

  /** The cost budget, in USD. */
  static final String COST = "cost";

  /** The raise's field an approver sets for the token budget. */
  static final String MAX_SESSION_TOKENS = "maxSessionTokens";

  /** The raise's field an approver sets for the cost budget. */
  static final String MAX_SESSION_COST = "maxSessionCost";

  /** The tenant's monthly token budget (decision 0045): its name, and the raise's field. */
  static final String MONTHLY_TOKENS = TenantBudgets.MONTHLY_TOKENS;

  /** The tenant's monthly cost budget in USD (decision 0045): its name, and the raise's field. */
  static final String MONTHLY_COST = TenantBudgets.MONTHLY_COST;

  private Budgets() {}

  /** Whether {@code budget} is one of the tenant's monthly budgets rather than the session's. */
  static boolean ofTenant(String budget) {
    return MONTHLY_TOKENS.equals(budget) || MONTHLY_COST.equals(budget);
  }

  /** Whether approval {@code a} is a pause on a tenant's monthly budget. */
  static boolean ofTenant(Approval a) {
    return Approval.BUDGET.equals(a.reason()) && ofTenant(a.arguments().path("budget").asText());
  }

  /**
   * The tenant budget a model call starting now would pass, if any (decision 0045): the month's
   * tokens (input + output) first, then its cost.
   */
  static Optional<Exceeded> exceeded(TenantMonth month) {
    TenantBudgets budgets = month.budgets();
    Usage spent = month.spent().usage();
    long tokens = spent.inputTokens() + spent.outputTokens();
    if (budgets.tokensLimited() && tokens >= budgets.monthlyTokens()) {
      return Optional.of(new Exceeded(MONTHLY_TOKENS, budgets.monthlyTokens(), tokens));
    }
    if (budgets.costLimited() && spent.costUsd().compareTo(budgets.monthlyCost()) >= 0) {
      return Optional.of(new Exceeded(MONTHLY_COST, 0, 0, budgets.monthlyCost(), spent.costUsd()));
    }
    return Optional.empty();
  }

  /** Only an operator raises a tenant's budget (decision 0045). */
  static Problem operatorOnly(String budget) {
    return new Problem(
        Problem.Kind.FORBIDDEN,
        "role_missing",
        "the tenant's " + budget + " budget is raised by an operator",
        null);
  }

  /**
   * The tenant budget an approver's {@code raise} names for tenant budget approval {@code a}, or
   * why it cannot be taken: the caller must be an operator, and {@code raise} an object whose field
   * of the budget's name ({@code monthlyTokens}: a whole number; {@code monthlyCost}: USD) is above
   * what the tenant had spent when the turn paused.
   */
  static TenantRaise tenantRaise(Approval a, JsonNode raise, boolean operator) {
    String name = a.arguments().path("budget").asText();
    if (!operator) {
      return new TenantRaise(name, null, operatorOnly(name));
    }
    String field = "raise." + name;
    if (raise == null || !raise.isObject() || !raise.has(name)) {
      return new TenantRaise(
          name,
          null,
          Problem.invalid(
              field, "approving a tenant budget approval needs raise: {\"" + name + "\": N}"));
    }
    JsonNode value = raise.get(name);
    boolean cost = MONTHLY_COST.equals(name);
    if (cost ? !value.isNumber() : !value.isIntegralNumber() || !value.canConvertToLong()) {
      return new TenantRaise(
          name,
          null,
          Problem.invalid(
              field, field + (cost ? " must be a number of USD" : " must be a whole number")));
    }
    BigDecimal asked = value.decimalValue();
    BigDecimal used = a.arguments().path("used").decimalValue();
    if (asked.compareTo(used) <= 0) {
      return new TenantRaise(
          name,
          null,
          Problem.invalid(
              field,
              field
                  + " must be above the "
                  + used.toPlainString()
                  + " the tenant spent this month, or the turn would pause again at once"));
    }
    return new TenantRaise(name, asked, null);
  }

  /** A tenant budget raise taken ({@code budget} to {@code value}) or refused ({@code problem}). */
  record TenantRaise(String budget, BigDecimal value, Problem problem) {}

  /**
   * A budget spent: its name and its limit and what was used, in tokens ({@code limit}, {@code
   * used}) or in USD ({@code limitUsd}, {@code usedUsd}, the cost budget only).
   */
  record Exceeded(String budget, long limit, long used, BigDecimal limitUsd, BigDecimal usedUsd) {
    Exceeded(String budget, long limit, long used) {
      this(budget, limit, used, null, null);
    }
  }

  /**
   * The budget a model call starting now would pass, if any: the tokens first, then the cost (a
   * limit of 0, or no cost limit: none).
   */
  static Optional<Exceeded> exceeded(SessionState s) {
    Limits limits = s.agent().limits();
    long max = limits.maxSessionTokens();
    long used = s.tokensUsed();
    if (max > 0 && used >= max) {
      return Optional.of(new Exceeded(TOKENS, max, used));
    }
    BigDecimal cost = s.usage().costUsd();
    if (limits.costLimited() && cost.compareTo(limits.maxSessionCost()) >= 0) {
      return Optional.of(new Exceeded(COST, 0, 0, limits.maxSessionCost(), cost));
    }
    return Optional.empty();
  }

  /**
   * The new budget an approver's {@code raise} names for budget approval {@code a}, or why it
   * cannot be taken: an object whose {@code maxSessionTokens} (a whole number) or, for the cost
   * budget, {@code maxSessionCost} (a number of USD) is above what the session used.
   */
  static Raise raise(SessionState s, Approval a, JsonNode raise) {
    boolean cost = a != null && COST.equals(a.arguments().path("budget").asText());
    String name = cost ? MAX_SESSION_COST : MAX_SESSION_TOKENS;
    String field = "raise." + name;
    if (raise == null || !raise.isObject() || !raise.has(name)) {
      return Raise.refused(
          Problem.invalid(field, "approving a budget approval needs raise: {\"" + name + "\": N}"));
    }
    JsonNode value = raise.get(name);
    if (cost) {
      if (!value.isNumber()) {
        return Raise.refused(Problem.invalid(field, field + " must be a number of USD"));
      }
      BigDecimal usd = value.decimalValue();
      BigDecimal spent = s.usage().costUsd();
      if (usd.compareTo(spent) <= 0) {
        return Raise.refused(
            Problem.invalid(
                field,
                field
                    + " must be above the "
                    + spent.toPlainString()
                    + " USD the session spent, or the turn would pause again at once"));
      }
      return new Raise(0, usd, null);
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      return Raise.refused(Problem.invalid(field, field + " must be a whole number"));
    }
    long tokens = value.asLong();
    if (tokens <= s.tokensUsed()) {
      return Raise.refused(
          Problem.invalid(
              field,
              field
                  + " must be above the "
                  + s.tokensUsed()
                  + " tokens the session used, or the turn would pause again at once"));
    }
    return new Raise(tokens, null, null);
  }

  /**
   * A raise taken ({@code maxSessionTokens}, or {@code maxSessionCost} when it raised the cost
   * budget) or refused ({@code problem}).
   */
  record Raise(long maxSessionTokens, BigDecimal maxSessionCost, Problem problem) {
    static Raise refused(Problem problem) {
      return new Raise(0, null, problem);
    }
  }

  /**
   * What the approver is shown as the approval's arguments: the budget, its limit and what was
   * used, and the field of {@code raise} that raises it.
   */
  static JsonNode question(BudgetExceeded e) {
    ObjectNode q = JsonNodeFactory.instance.objectNode();
    q.put("budget", e.budget());
    if (ofTenant(e.budget())) {
      // A tenant budget is raised by the field of its own name, and by an operator (decision 0045).
      if (e.limitUsd() != null && e.usedUsd() != null) {
        q.put("limit", e.limitUsd().doubleValue());
        q.put("used", e.usedUsd().doubleValue());
      } else {
        q.set("limit", number(e.limit()));
        q.set("used", number(e.used()));
      }
      q.put("raise", e.budget());
      q.put("scope", "tenant");
      return q;
    }
    if (COST.equals(e.budget()) && e.limitUsd() != null && e.usedUsd() != null) {
      q.put("limit", e.limitUsd().doubleValue());
      q.put("used", e.usedUsd().doubleValue());
      q.put("raise", MAX_SESSION_COST);
    } else {
      q.set("limit", number(e.limit()));
      q.set("used", number(e.used()));
      q.put("raise", MAX_SESSION_TOKENS);
    }
    return q;
  }

  /** As a parser reads it back (an int when it fits), so that a state equals its round trip. */
  private static JsonNode number(long value) {
    return value == (int) value
        ? JsonNodeFactory.instance.numberNode((int) value)
        : JsonNodeFactory.instance.numberNode(value);
  }
}
