package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;

import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.auth.Role;
import io.agentruntime.http.json.Json;
import java.util.List;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /v1/me}: who the caller's key speaks for (tenant, user, roles), so that a client such
 * as the console shows only what the key may do. Any valid key may ask; it says nothing the key's
 * holder could not learn by trying, and the API still checks every call.
 */
public final class PrincipalRoutes {

  /** The principal as the API shows it. */
  public record PrincipalBody(String tenant, String user, List<String> roles) {
    static PrincipalBody of(Principal p) {
      return new PrincipalBody(
          p.tenant(), p.user(), p.roles().stream().sorted().map(Role::wireName).toList());
    }
  }

  Route routes(Principal principal) {
    return pathEnd(
        () -> get(() -> complete(Json.response(StatusCodes.OK, PrincipalBody.of(principal)))));
  }
}
