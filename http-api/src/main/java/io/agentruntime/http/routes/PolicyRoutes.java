package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.put;

import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.json.Fields;
import io.agentruntime.http.json.PermissionsRequest;
import io.agentruntime.http.json.RateLimitsRequest;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.runtime.session.SessionService;
import io.agentruntime.runtime.session.TenantPolicy;
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
  public record PolicyBody(
      Map<String, String> tools,
      boolean suspended,
      Map<String, RateLimitsRequest.RateLimitBody> rateLimits) {
    static PolicyBody of(TenantPolicy p) {
      Map<String, String> tools = new TreeMap<>();
      p.tools().tools().forEach((tool, permission) -> tools.put(tool, permission.wireName()));
      return new PolicyBody(
          tools, p.suspended(), RateLimitsRequest.RateLimitBody.of(p.rateLimits()));
    }
  }

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
                                .thenApply(PolicyBody::of))),
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
   * The body of {@code PUT /v1/policy}: {@code tools} and the optional {@code rateLimits} (decision
   * 0046). It replaces both: a PUT without {@code rateLimits} removes every limit.
   */
  static TenantPolicy read(com.fasterxml.jackson.databind.node.ObjectNode body) {
    return new TenantPolicy(
        PermissionsRequest.read(
            Fields.object(body, "tools", "").orElseThrow(() -> Fields.missing("tools")), "tools"),
        false,
        RateLimitsRequest.read(body));
  }
}
