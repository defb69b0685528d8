package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.put;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.json.Fields;
import io.agentruntime.http.json.PermissionsRequest;
import io.agentruntime.http.json.RateLimitsRequest;
import io.agentruntime.http.json.SessionBody;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.runtime.session.SessionService;
import io.agentruntime.runtime.session.TenantBudgets;
import io.agentruntime.runtime.session.TenantMonth;
import io.agentruntime.runtime.session.TenantPolicy;
import io.agentruntime.runtime.session.Usage;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /v1/policy} and {@code PUT /v1/policy}: the caller's tenant's policy, a ceiling over
 * every session's ({@code {"tools": {"send_email": "ask", "*": "allow"}}}) and rate limits per tool
 * ({@code "rateLimits": {"send_email": {"perHour": 10}}}, decision 0046). Any principal of the
 * tenant reads it; only an operator replaces it (the runtime checks, 403 role_missing). The PUT
 * takes an {@code Idempotency-Key} as every write does (checked; a replacement is idempotent by its
 * content, so the same key again changes nothing more).
 */
public final class PolicyRoutes {

  /**
   * The tenant's policy as the API shows it; {@code suspended}: an operator stopped the tenant
   * ({@code POST /v1/tenant/suspend}, decision 0042); {@code rateLimits}: each limited tool's
   * windows (decision 0046).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PolicyBody(
      Map<String, String> tools,
      boolean suspended,
      Map<String, RateLimitsRequest.RateLimitBody> rateLimits,
      BudgetsBody budgets,
      MonthBody usage) {
    static PolicyBody of(TenantPolicy p) {
      Map<String, String> tools = new TreeMap<>();
      p.tools().tools().forEach((tool, permission) -> tools.put(tool, permission.wireName()));
      TenantBudgets b = p.budgets();
      return new PolicyBody(
          tools,
          p.suspended(),
          RateLimitsRequest.RateLimitBody.of(p.rateLimits()),
          new BudgetsBody(
              b.monthlyTokens(),
              b.costLimited() ? SessionBody.usd(b.monthlyCost()) : BigDecimal.ZERO),
          null);
    }

    /** The policy with what the tenant spent this month, as {@code GET /v1/policy} shows it. */
    PolicyBody with(TenantMonth m) {
      if (m == null) {
        return this;
      }
      Usage u = m.spent().usage();
      return new PolicyBody(
          tools,
          suspended,
          rateLimits,
          budgets,
          new MonthBody(
              m.spent().month(), u.inputTokens(), u.outputTokens(), SessionBody.usd(u.costUsd())));
    }
  }

  /**
   * What the tenant's sessions spent in the calendar month (UTC) {@code month} ({@code 2026-12}),
   * counted across every node (decision 0045).
   */
  public record MonthBody(String month, long inputTokens, long outputTokens, BigDecimal costUsd) {}

  /**
   * The tenant's monthly budgets (decision 0045): tokens and USD its sessions together may spend in
   * a calendar month (UTC); 0: no limit.
   */
  public record BudgetsBody(long monthlyTokens, BigDecimal monthlyCost) {}

  private final SessionService sessions;
  private final JsonBody body;

  PolicyRoutes(SessionService sessions, JsonBody body) {
    this.sessions = sessions;
    this.body = body;
  }

  /** The routes of {@code /v1/policy}. */
  Route routes(Principal principal) {
    return pathEnd(
        () ->
            concat(
                get(
                    () ->
                        Responses.ok(
                            sessions
                                .tenantPolicy(principal.tenant(), principal.caller())
                                .thenApply(PolicyBody::of)
                                .thenCombine(
                                    // The month unreadable: the policy is shown without it.
                                    sessions
                                        .tenantMonth(principal.tenant(), principal.caller())
                                        .handle((month, unreadable) -> month),
                                    PolicyBody::with))),
                put(
                    () ->
                        IdempotencyKeys.withKey(
                            idempotencyKey ->
                                body.json(
                                    json -> {
                                      TenantPolicy policy = read(Fields.body(json));
                                      return Responses.ok(
                                          sessions
                                              .keyed(idempotencyKey)
                                              .replaceTenantPolicy(
                                                  principal.tenant(), principal.caller(), policy)
                                              .thenApply(PolicyBody::of));
                                    })))));
  }

  /**
   * The body of {@code PUT /v1/policy}: {@code tools} (required), the optional {@code rateLimits}
   * (decision 0046) and {@code budgets} (decision 0045). It replaces all three: a PUT without
   * {@code rateLimits} removes every limit, one without {@code budgets} every monthly budget.
   */
  static TenantPolicy read(ObjectNode body) {
    TenantPolicy policy =
        new TenantPolicy(
            PermissionsRequest.read(
                Fields.object(body, "tools", "").orElseThrow(() -> Fields.missing("tools")),
                "tools"),
            false,
            RateLimitsRequest.read(body));
    return policy.withBudgets(
        Fields.object(body, "budgets", "").map(PolicyRoutes::budgets).orElse(TenantBudgets.NONE));
  }

  /** {@code budgets}: {@code monthlyTokens} (a whole number), {@code monthlyCost} (USD), >= 0. */
  private static TenantBudgets budgets(ObjectNode budgets) {
    long tokens =
        Fields.longInteger(budgets, TenantBudgets.MONTHLY_TOKENS, "budgets")
            .map(
                n -> {
                  if (n < 0) {
                    throw ApiError.invalidField(
                        "budgets.monthlyTokens",
                        "budgets.monthlyTokens must be 0 (no limit) or more");
                  }
                  return n;
                })
            .orElse(0L);
    BigDecimal cost =
        Fields.value(budgets, TenantBudgets.MONTHLY_COST)
            .map(
                v -> {
                  String param = "budgets.monthlyCost";
                  if (!v.isNumber() || v.decimalValue().signum() < 0) {
                    throw ApiError.invalidField(
                        param, param + " must be a number of USD, 0 (no limit) or more");
                  }
                  return v.decimalValue();
                })
            .orElse(null);
    return new TenantBudgets(tokens, cost);
  }
}
