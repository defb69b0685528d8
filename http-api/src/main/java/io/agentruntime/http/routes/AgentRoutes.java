package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.reject;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.agents.AgentConfig;
import io.agentruntime.http.agents.AgentObjects;
import io.agentruntime.http.agents.CursorPage;
import io.agentruntime.http.agents.InlineAgents;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.json.Fields;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.runtime.agents.AgentCatalog;
import io.agentruntime.runtime.session.Problem;
import io.agentruntime.runtime.session.SessionRefused;
import io.agentruntime.runtime.session.SessionService;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/agents}: the OpenAI Agents API's saved agents of the caller's tenant (create, list,
 * retrieve, update, delete), kept in the tenant's agent catalog (decision 0026); {@code
 * /v1/agents/sessions} goes to {@link AgentSessionRoutes}.
 */
public final class AgentRoutes {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final AgentCatalog catalog;
  private final SessionService sessions;
  private final JsonBody body;
  private final AgentSessionRoutes agentSessions;

  AgentRoutes(
      AgentCatalog catalog,
      SessionService sessions,
      JsonBody body,
      AgentSessionRoutes agentSessions) {
    this.catalog = catalog;
    this.sessions = sessions;
    this.body = body;
    this.agentSessions = agentSessions;
  }

  /** The routes below {@code /v1/agents}. */
  Route routes(Principal principal) {
    return concat(
        pathPrefix("sessions", () -> agentSessions.routes(principal)),
        pathEnd(() -> concat(post(() -> create(principal)), get(() -> list(principal)))),
        pathPrefix(
            segment(),
            id ->
                // sessions is not an agent: a method that /v1/agents/sessions lacks is a 405
                id.equals("sessions")
                    ? reject()
                    : pathEnd(
                        () ->
                            concat(
                                get(() -> retrieve(principal, checked(id))),
                                post(() -> update(principal, checked(id))),
                                delete(() -> remove(principal, checked(id)))))));
  }

  /** An id that cannot be an agent's names none: 404, as an unknown one. */
  static String checked(String id) {
    if (!ID.matcher(id).matches() && InlineAgents.sessionOf(id).isEmpty()) {
      throw new ApiError(
          org.apache.pekko.http.javadsl.model.StatusCodes.NOT_FOUND,
          "agent_not_found",
          "agent not found");
    }
    return id;
  }

  private Route create(Principal principal) {
    return body.json(
        json -> {
          ObjectNode request = Fields.body(json);
          Fields.requiredString(request, "model", "");
          ObjectNode resolved =
              AgentConfig.apply(AgentConfig.defaults(), request, "", sessions::knowsModel);
          return Responses.ok(
              catalog
                  .create(principal.tenant(), principal.user(), resolved)
                  .thenApply(AgentObjects::agent));
        });
  }

  /** A saved agent, or a session's inline agent ({@link InlineAgents}) if the caller sees it. */
  private Route retrieve(Principal principal, String id) {
    Optional<String> session = InlineAgents.sessionOf(id);
    if (session.isPresent()) {
      return Responses.ok(
          sessions
              .glance(principal.tenant(), session.get(), principal.caller())
              .handle(
                  (v, failure) ->
                      failure == null
                          ? InlineAgents.agent(v).orElseThrow(AgentRoutes::notFound)
                          : rethrowAsAgent(failure)));
    }
    return Responses.ok(catalog.get(principal.tenant(), id).thenApply(AgentObjects::agent));
  }

  /** A session that is not found (or not the caller's) is an agent not found here. */
  private static ObjectNode rethrowAsAgent(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof SessionRefused refused
        && refused.problem().kind() == Problem.Kind.NOT_FOUND) {
      throw notFound();
    }
    throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
  }

  private static ApiError notFound() {
    return new ApiError(
        org.apache.pekko.http.javadsl.model.StatusCodes.NOT_FOUND,
        "agent_not_found",
        "agent not found");
  }

  /** A session's inline agent changes with its session, not here: 400 naming where. */
  private static void refuseInline(String id) {
    InlineAgents.sessionOf(id)
        .ifPresent(
            session -> {
              throw ApiError.invalidField(
                  "agent_id",
                  id
                      + " is the inline agent of session "
                      + session
                      + ": change it with POST /v1/agents/sessions/"
                      + session);
            });
  }

  private Route update(Principal principal, String id) {
    refuseInline(id);
    return body.json(
        json -> {
          ObjectNode request = Fields.body(json);
          if (request.has("model") && request.get("model").isNull()) {
            throw ApiError.invalidField("model", "model cannot be null");
          }
          return Responses.ok(
              catalog
                  .get(principal.tenant(), id)
                  .thenCompose(
                      before ->
                          catalog.replace(
                              principal.tenant(),
                              principal.user(),
                              before,
                              AgentConfig.apply(
                                  (ObjectNode) before.body(), request, "", sessions::knowsModel)))
                  .thenApply(AgentObjects::agent));
        });
  }

  private Route remove(Principal principal, String id) {
    refuseInline(id);
    return Responses.ok(
        catalog
            .delete(principal.tenant(), principal.user(), id)
            .thenApply(
                deleted -> {
                  ObjectNode answer = AgentConfig.defaults().objectNode();
                  answer.put("id", deleted);
                  answer.put("deleted", true);
                  answer.put("object", "agent.deleted");
                  return answer;
                }));
  }

  private Route list(Principal principal) {
    return Responses.okPage(
        page ->
            catalog
                .page(
                    principal.tenant(), page.after().orElse(null), page.limit(), page.newestFirst())
                .thenApply(
                    listed ->
                        CursorPage.list(
                            listed.agents().stream().map(AgentObjects::agent).toList(),
                            listed.hasMore())));
  }
}
