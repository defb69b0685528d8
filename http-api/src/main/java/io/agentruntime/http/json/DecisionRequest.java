package io.agentruntime.http.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.error.ApiError;
import java.util.Set;

/**
 * The body of {@code POST .../approvals/{approvalId}}: {@code {"decision":
 * "approve|deny|retry|fail|result", "comment": "...", "result": {...}}}. Which decisions fit which
 * approval (approve or deny for the policy, retry, fail or result for an in-doubt call) the session
 * decides. {@code comment} and {@code result} are null when absent. A budget approval is approved
 * with {@code "raise": {"maxSessionTokens": N}} (decision 0039): the raise travels to the session
 * as the decision's {@code result}, the one payload a decision has.
 */
public record DecisionRequest(String decision, String comment, JsonNode result) {

  private static final Set<String> DECISIONS = Set.of("approve", "deny", "retry", "fail", "result");

  public static DecisionRequest read(JsonNode json) {
    ObjectNode body = Fields.body(json);
    String decision = Fields.requiredString(body, "decision", "");
    if (!DECISIONS.contains(decision)) {
      throw ApiError.invalidField("decision must be approve, deny, retry, fail or result");
    }
    return new DecisionRequest(
        decision,
        Fields.string(body, "comment", "").orElse(null),
        Fields.value(body, "raise").or(() -> Fields.value(body, "result")).orElse(null));
  }
}
