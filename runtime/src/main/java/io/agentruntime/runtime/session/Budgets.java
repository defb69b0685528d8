package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.runtime.session.SessionEvent.BudgetExceeded;
import java.util.Optional;

/**
 * The session's budgets (decision 0039): whether a model call may start, and what an approver's
 * raise must look like. Pure: the turn machine and the driver ask it of a state.
 */
final class Budgets {

  /** The token budget, the one a session has today. */
  static final String TOKENS = "tokens";

  /** The raise's field an approver sets. */
  static final String MAX_SESSION_TOKENS = "maxSessionTokens";

  private Budgets() {}

  /** A budget spent: its name, its limit and what was used. */
  record Exceeded(String budget, long limit, long used) {}

  /** The budget a model call starting now would pass, if any (a limit of 0: none). */
  static Optional<Exceeded> exceeded(SessionState s) {
    long max = s.agent().limits().maxSessionTokens();
    long used = s.tokensUsed();
    return max > 0 && used >= max ? Optional.of(new Exceeded(TOKENS, max, used)) : Optional.empty();
  }

  /**
   * The new token budget an approver's {@code raise} names, or why it cannot be taken: it must be
   * an object whose {@code maxSessionTokens} is a whole number above what the session used.
   */
  static Raise raise(SessionState s, JsonNode raise) {
    String field = "raise." + MAX_SESSION_TOKENS;
    if (raise == null || !raise.isObject() || !raise.has(MAX_SESSION_TOKENS)) {
      return Raise.refused(
          Problem.invalid(
              field, "approving a budget approval needs raise: {\"maxSessionTokens\": N}"));
    }
    JsonNode value = raise.get(MAX_SESSION_TOKENS);
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
    return new Raise(tokens, null);
  }

  /** A raise taken ({@code maxSessionTokens}) or refused ({@code problem}). */
  record Raise(long maxSessionTokens, Problem problem) {
    static Raise refused(Problem problem) {
      return new Raise(0, problem);
    }
  }

  /** What the approver is shown as the approval's arguments. */
  static JsonNode question(BudgetExceeded e) {
    ObjectNode q = JsonNodeFactory.instance.objectNode();
    q.put("budget", e.budget());
    q.set("limit", number(e.limit()));
    q.set("used", number(e.used()));
    return q;
  }

  /** As a parser reads it back (an int when it fits), so that a state equals its round trip. */
  private static JsonNode number(long value) {
    return value == (int) value
        ? JsonNodeFactory.instance.numberNode((int) value)
        : JsonNodeFactory.instance.numberNode(value);
  }
}
