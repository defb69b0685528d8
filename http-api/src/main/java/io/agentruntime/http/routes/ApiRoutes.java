package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.agentruntime.http.HttpSettings;
import io.agentruntime.http.auth.Authenticator;
import io.agentruntime.http.auth.KeySlots;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.events.SessionEventStream;
import io.agentruntime.http.json.SessionRequest;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.runtime.agents.AgentCatalog;
import io.agentruntime.runtime.approvals.ApprovalFeed;
import io.agentruntime.runtime.approvals.TenantApprovals;
import io.agentruntime.runtime.session.SessionService;
import io.agentruntime.runtime.session.SessionSettings;
import io.agentruntime.runtime.vault.Vaults;
import io.agentruntime.runtime.webhooks.WebhookService;
import java.time.Clock;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The route tree: health, the OpenAPI document and the browser console's static files without a
 * key, {@code /v1/me} for any key, everything under {@code /v1/sessions}, {@code /v1/policy},
 * {@code /v1/vaults}, {@code /v1/webhooks} and {@code /v1/agents} (the OpenAI Agents API) behind
 * the authenticator, each resource in its own routes class.
 */
public final class ApiRoutes {

  private final Authenticator auth;
  private final HealthRoutes health;
  private final OpenApiRoutes openApi;
  private final SessionRoutes sessions;
  private final MemoryRoutes memory;
  private final ToolRoutes tools;
  private final PermissionRoutes permissions;
  private final ScheduleRoutes schedules;
  private final MessageRoutes messages;
  private final TurnRoutes turns;
  private final ApprovalRoutes approvals;
  private final TenantApprovalRoutes tenantApprovals;
  private final EventRoutes events;
  private final OperatorRoutes operator;
  private final PolicyRoutes policy;
  private final TenantRoutes tenant;
  private final VaultRoutes vaults;
  private final WebhookRoutes webhooks;
  private final AgentRoutes agents;
  private final NodeHeader nodeHeader;
  private final ConsoleRoutes console = new ConsoleRoutes();
  private final PrincipalRoutes me = new PrincipalRoutes();
  private final ClusterRoutes cluster;

  /** Sessions read from the directory at once, and asked at once, by the approvals listing. */
  private static final int APPROVALS_DIRECTORY_PAGE = 500;

  private static final int APPROVALS_PARALLELISM = 16;

  /**
   * @param errors turns failures into error responses here already, so that they get the node
   *     header
   */
  public ApiRoutes(
      ActorSystem<?> system,
      SessionService sessions,
      WebhookService webhooks,
      HttpSettings settings,
      Authenticator auth,
      HealthRoutes health,
      ExceptionHandler errors) {
    JsonBody body = new JsonBody(settings.maxBodyBytes(), settings.bodyReadTimeout());
    this.auth = auth;
    this.health = health;
    this.openApi = new OpenApiRoutes();
    this.sessions = new SessionRoutes(sessions, settings, body);
    this.memory = new MemoryRoutes(sessions, body);
    this.tools = new ToolRoutes(sessions, body);
    this.permissions = new PermissionRoutes(sessions, body);
    this.schedules = new ScheduleRoutes(sessions, body);
    KeySlots waits = new KeySlots(settings.maxWaitingRequestsPerKey());
    this.messages = new MessageRoutes(sessions, body, settings, waits);
    this.turns = new TurnRoutes(sessions, settings, waits, body);
    this.approvals = new ApprovalRoutes(sessions, body);
    this.operator = new OperatorRoutes(sessions, body);
    this.policy = new PolicyRoutes(sessions, body);
    this.tenant = new TenantRoutes(sessions);
    this.vaults = new VaultRoutes(Vaults.get(system), body, settings.retryAfter());
    this.webhooks = new WebhookRoutes(webhooks, body);
    SessionEventStream streams =
        new SessionEventStream(
            system,
            settings.events(),
            new KeySlots(settings.maxEventStreamsPerKey()),
            auth::stillValid,
            settings.keysReloadInterval());
    this.events = new EventRoutes(sessions, streams);
    this.tenantApprovals =
        new TenantApprovalRoutes(
            new TenantApprovals(sessions, APPROVALS_DIRECTORY_PAGE, APPROVALS_PARALLELISM),
            settings,
            new ApprovalStream(sessions, ApprovalFeed.get(system), streams));
    AgentCatalog catalog =
        AgentCatalog.lazy(
            system,
            SessionSettings.fromConfig(system.settings().config()).askTimeout(),
            Clock.systemUTC());
    this.agents =
        new AgentRoutes(
            catalog, sessions, body, new AgentSessionRoutes(sessions, catalog, body, streams));
    this.nodeHeader = new NodeHeader(sessions, errors);
    this.cluster =
        new ClusterRoutes(
            system, settings.clusterOperatorTenants(), settings.clusterStatsTimeout());
  }

  public Route routes() {
    return concat(
        health.routes(),
        console.routes(),
        pathPrefix(
            "v1",
            () ->
                concat(
                    openApi.routes(),
                    pathPrefix("me", () -> auth.authenticated(me::routes)),
                    pathPrefix("cluster", () -> auth.authenticated(cluster::routes)),
                    pathPrefix("policy", () -> auth.sessionUser(policy::routes)),
                    pathPrefix("tenant", () -> auth.sessionUser(tenant::routes)),
                    pathPrefix("vaults", () -> auth.sessionUser(vaults::routes)),
                    pathPrefix("webhooks", () -> auth.sessionUser(webhooks::routes)),
                    pathPrefix("agents", () -> auth.sessionUser(agents::routes)),
                    // Any role lists approvals (decision 0035); each key sees what it may see.
                    pathPrefix("approvals", () -> auth.authenticated(tenantApprovals::routes)),
                    pathPrefix("sessions", () -> auth.sessionUser(this::sessionRoutes)))));
  }

  private Route sessionRoutes(Principal principal) {
    return concat(
        pathEnd(
            () -> nodeHeader.collection(principal.tenant(), () -> sessions.collection(principal))),
        pathPrefix(
            segment(),
            rawId -> {
              String id = SessionRequest.checkedId(rawId);
              return nodeHeader.session(
                  principal.tenant(),
                  id,
                  () ->
                      concat(
                          pathEnd(() -> sessions.session(principal, id)),
                          pathPrefix("memory", () -> memory.routes(principal, id)),
                          pathPrefix("tools", () -> tools.routes(principal, id)),
                          pathPrefix("permissions", () -> permissions.routes(principal, id)),
                          pathPrefix("schedules", () -> schedules.routes(principal, id)),
                          pathPrefix("messages", () -> messages.routes(principal, id)),
                          pathPrefix("turns", () -> turns.routes(principal, id)),
                          pathPrefix("approvals", () -> approvals.routes(principal, id)),
                          pathPrefix("events", () -> events.routes(principal, id)),
                          operator.routes(principal, id)));
            }));
  }
}
