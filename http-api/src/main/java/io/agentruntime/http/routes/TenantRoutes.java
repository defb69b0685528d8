package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.post;

import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.routes.PolicyRoutes.PolicyBody;
import io.agentruntime.runtime.session.SessionService;
import io.agentruntime.runtime.session.TenantPolicy;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * One switch to stop a tenant (decision 0042): {@code POST /v1/tenant/suspend} and {@code
 * /v1/tenant/resume}, by an operator of the caller's tenant (the runtime checks, 403 role_missing).
 * Both answer the tenant's policy, {@code suspended} as it now is; both are idempotent by their
 * content, so an {@code Idempotency-Key} sent again changes nothing more.
 */
public final class TenantRoutes {

  private final SessionService sessions;

  TenantRoutes(SessionService sessions) {
    this.sessions = sessions;
  }

  /** The routes of {@code /v1/tenant}. */
  Route routes(Principal principal) {
    return concat(
        flip("suspend", () -> sessions.suspendTenant(principal.tenant(), principal.caller())),
        flip("resume", () -> sessions.resumeTenant(principal.tenant(), principal.caller())));
  }

  /**
   * {@code POST name}: sets the switch and answers the policy. The {@code Idempotency-Key} is
   * checked (a malformed one is a 400) and not kept: setting the switch again changes nothing.
   */
  private static Route flip(String name, Supplier<CompletionStage<TenantPolicy>> set) {
    return path(
        name,
        () ->
            post(
                () ->
                    IdempotencyKeys.withKey(
                        idempotencyKey -> Responses.ok(set.get().thenApply(PolicyBody::of)))));
  }
}
