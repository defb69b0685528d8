package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.agents.CursorPage;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.auth.Role;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.json.Fields;
import io.agentruntime.http.json.Json;
import io.agentruntime.http.json.VaultJson;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.runtime.vault.VaultCaller;
import io.agentruntime.runtime.vault.VaultProblem;
import io.agentruntime.runtime.vault.VaultRefused;
import io.agentruntime.runtime.vault.Vaults;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/vaults}: OpenAI's vault API (docs/vaults.md, decision 0029). Vaults and their
 * credentials, scoped to the caller's tenant, and a user's own vaults to that user; a credential's
 * secret goes in and never comes out. Any principal with the user or operator role; tenant-wide
 * vaults are changed by operators ({@code POST /v1/vaults/reseal} too).
 */
public final class VaultRoutes {

  private static final int DEFAULT_LIMIT = 20;
  private static final int MAX_LIMIT = 100;

  private final Vaults vaults;
  private final JsonBody body;
  private final java.time.Duration retryAfter;

  VaultRoutes(Vaults vaults, JsonBody body, java.time.Duration retryAfter) {
    this.vaults = vaults;
    this.body = body;
    this.retryAfter = retryAfter;
  }

  /** The routes under {@code /v1/vaults}. */
  Route routes(Principal principal) {
    VaultCaller caller = new VaultCaller(principal.user(), principal.has(Role.OPERATOR));
    String tenant = principal.tenant();
    return concat(
        pathEnd(
            () ->
                concat(
                    post(() -> createVault(tenant, caller, principal)),
                    get(
                        () ->
                            parameterMap(
                                query ->
                                    read(
                                        vaults
                                            .vaults(tenant, caller)
                                            .thenApply(
                                                all ->
                                                    page(
                                                        all.stream()
                                                            .filter(
                                                                v -> matches(v.metadata(), query))
                                                            .map(VaultJson::vault)
                                                            .toList(),
                                                        query))))))),
        pathPrefix(
            "reseal", () -> pathEnd(() -> concat(post(() -> reseal(tenant, caller)), onlyPost()))),
        pathPrefix(
            segment(),
            vaultId ->
                concat(
                    pathEnd(() -> vault(tenant, caller, vaultId)),
                    pathPrefix(
                        "credentials",
                        () ->
                            concat(
                                pathEnd(() -> credentials(tenant, caller, vaultId)),
                                pathPrefix(
                                    segment(),
                                    credentialId ->
                                        pathEnd(
                                            () ->
                                                credential(
                                                    tenant, caller, vaultId, credentialId))))))));
  }

  /** Re-seals the tenant's credentials under the current key (operators). */
  private Route reseal(String tenant, VaultCaller caller) {
    return IdempotencyKeys.withKey(
        key ->
            write(
                vaults
                    .reseal(tenant, caller)
                    .thenApply(
                        n -> {
                          ObjectNode o = Json.MAPPER.createObjectNode();
                          o.put("object", "vault.reseal");
                          o.put("resealed", n);
                          return o;
                        })));
  }

  /** {@code /v1/vaults/reseal} is no vault: another method is a 405, never a vault lookup. */
  private static Route onlyPost() {
    return extractRequest(
        request -> {
          throw new ApiError(
              StatusCodes.METHOD_NOT_ALLOWED,
              "method_not_allowed",
              "the resource allows POST",
              List.of(
                  org.apache.pekko.http.javadsl.model.headers.Allow.create(
                      org.apache.pekko.http.javadsl.model.HttpMethods.POST)));
        });
  }

  private Route createVault(String tenant, VaultCaller caller, Principal principal) {
    return IdempotencyKeys.withKey(
        key ->
            body.optionalJson(
                json -> {
                  ObjectNode b = Fields.body(json.orElseGet(Json.MAPPER::createObjectNode));
                  Boolean tenantWide =
                      VaultJson.string(b, "scope", "scope")
                          .map(
                              s -> {
                                if (!s.equals("tenant") && !s.equals("user")) {
                                  throw ApiError.invalidField(
                                      "scope", "scope must be tenant or user");
                                }
                                return s.equals("tenant");
                              })
                          .orElse(null);
                  return write(
                      vaults
                          .createVault(
                              tenant,
                              caller,
                              tenantWide,
                              VaultJson.string(b, "name", "name").orElse(null),
                              VaultJson.metadata(b.get("metadata")),
                              key)
                          .thenApply(VaultJson::vault));
                }));
  }

  private Route vault(String tenant, VaultCaller caller, String vaultId) {
    return concat(
        get(() -> read(vaults.vault(tenant, caller, vaultId).thenApply(VaultJson::vault))),
        post(
            () ->
                IdempotencyKeys.withKey(
                    key ->
                        body.json(
                            json -> {
                              ObjectNode b = Fields.body(json);
                              Optional<String> name =
                                  VaultJson.field(b, "name")
                                      .map(
                                          v ->
                                              v.map(
                                                      n -> {
                                                        if (!n.isTextual()) {
                                                          throw ApiError.invalidField(
                                                              "name", "name must be a string");
                                                        }
                                                        return n.textValue();
                                                      })
                                                  .orElse(null));
                              Optional<Map<String, String>> metadata =
                                  VaultJson.field(b, "metadata")
                                      .map(v -> VaultJson.metadata(v.orElse(null)));
                              return write(
                                  vaults
                                      .updateVault(tenant, caller, vaultId, name, metadata)
                                      .thenApply(VaultJson::vault));
                            }))),
        delete(
            () ->
                IdempotencyKeys.withKey(
                    key ->
                        write(
                            vaults
                                .deleteVault(tenant, caller, vaultId)
                                .thenApply(done -> VaultJson.deleted(vaultId, "vault.deleted"))))));
  }

  private Route credentials(String tenant, VaultCaller caller, String vaultId) {
    return concat(
        post(
            () ->
                IdempotencyKeys.withKey(
                    key ->
                        body.json(
                            json -> {
                              ObjectNode b = Fields.body(json);
                              String name =
                                  VaultJson.string(b, "name", "name")
                                      .orElseThrow(
                                          () -> ApiError.invalidField("name", "name is required"));
                              return write(
                                  vaults
                                      .createCredential(
                                          tenant,
                                          caller,
                                          vaultId,
                                          name,
                                          VaultJson.metadata(b.get("metadata")),
                                          VaultJson.auth(b.get("auth")),
                                          key)
                                      .thenApply(c -> VaultJson.credential(vaultId, c)));
                            }))),
        get(
            () ->
                parameterMap(
                    query ->
                        read(
                            vaults
                                .credentials(tenant, caller, vaultId)
                                .thenApply(
                                    all ->
                                        page(
                                            all.stream()
                                                .filter(c -> matches(c.metadata(), query))
                                                .map(c -> VaultJson.credential(vaultId, c))
                                                .toList(),
                                            query))))));
  }

  private Route credential(String tenant, VaultCaller caller, String vaultId, String credentialId) {
    return concat(
        get(
            () ->
                read(
                    vaults
                        .credential(tenant, caller, vaultId, credentialId)
                        .thenApply(c -> VaultJson.credential(vaultId, c)))),
        post(
            () ->
                IdempotencyKeys.withKey(
                    key ->
                        body.json(
                            json -> {
                              ObjectNode b = Fields.body(json);
                              Optional<Map<String, String>> metadata =
                                  VaultJson.field(b, "metadata")
                                      .map(v -> VaultJson.metadata(v.orElse(null)));
                              Optional<io.agentruntime.runtime.vault.CredentialInput.Auth> auth =
                                  VaultJson.field(b, "auth").flatMap(v -> v).map(VaultJson::auth);
                              return write(
                                  vaults
                                      .updateCredential(
                                          tenant, caller, vaultId, credentialId, metadata, auth)
                                      .thenApply(c -> VaultJson.credential(vaultId, c)));
                            }))),
        delete(
            () ->
                IdempotencyKeys.withKey(
                    key ->
                        write(
                            vaults
                                .deleteCredential(tenant, caller, vaultId, credentialId)
                                .thenApply(
                                    done ->
                                        VaultJson.deleted(
                                            credentialId, "vault.credential.deleted"))))));
  }

  /**
   * A cursor page as the SDKs read it: {@code order} (asc or desc by creation, default desc), the
   * items after the one {@code after} names, at most {@code limit} (clamped to 1..100, default 20).
   */
  static ObjectNode page(List<ObjectNode> items, Map<String, String> query) {
    String order = query.getOrDefault("order", "desc");
    if (!order.equals("asc") && !order.equals("desc")) {
      throw ApiError.invalidField("order", "order must be asc or desc");
    }
    int limit = DEFAULT_LIMIT;
    String rawLimit = query.get("limit");
    if (rawLimit != null) {
      try {
        limit = Math.max(1, Math.min(MAX_LIMIT, Integer.parseInt(rawLimit.strip())));
      } catch (NumberFormatException e) {
        throw ApiError.invalidField("limit", "limit must be an integer");
      }
    }
    Comparator<ObjectNode> byId = Comparator.comparing(o -> o.get("id").textValue());
    List<ObjectNode> ordered = new ArrayList<>(items);
    ordered.sort(order.equals("asc") ? byId : byId.reversed());
    String after = query.get("after");
    if (after != null && !after.isEmpty()) {
      // Ids sort by creation time, so a cursor whose item is gone still says where to go on.
      ordered =
          ordered.stream()
              .filter(
                  o -> {
                    int c = o.get("id").textValue().compareTo(after);
                    return order.equals("asc") ? c > 0 : c < 0;
                  })
              .toList();
    }
    List<ObjectNode> data = ordered.subList(0, Math.min(limit, ordered.size()));
    return CursorPage.list(data, ordered.size() > data.size());
  }

  /** The Java SDK's {@code metadata[<key>]=<value>} filters: every one must match. */
  private static boolean matches(Map<String, String> metadata, Map<String, String> query) {
    for (Map.Entry<String, String> q : query.entrySet()) {
      String k = q.getKey();
      if (k.startsWith("metadata[") && k.endsWith("]")) {
        String key = k.substring("metadata[".length(), k.length() - 1);
        if (!q.getValue().equals(metadata.get(key))) {
          return false;
        }
      }
    }
    return true;
  }

  private Route read(CompletionStage<? extends JsonNode> answer) {
    return completeWithFuture(
        answer
            .exceptionally(failure -> rethrow(failure, false))
            .thenApply(b -> Json.response(StatusCodes.OK, b)));
  }

  private Route write(CompletionStage<? extends JsonNode> answer) {
    return completeWithFuture(
        answer
            .exceptionally(failure -> rethrow(failure, true))
            .thenApply(b -> Json.response(StatusCodes.OK, b)));
  }

  /**
   * A refusal as its API error; a write whose entity did not answer in time may have landed: 504
   * {@code outcome_unknown} (decision 0034), never "nothing was accepted".
   */
  private <T> T rethrow(Throwable failure, boolean write) {
    Throwable t =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (t instanceof VaultRefused refused) {
      throw error(refused.problem());
    }
    if (write && t instanceof TimeoutException) {
      throw ApiError.outcomeUnknown(
          "the vault did not confirm the write in time; it may have been accepted: retry with the"
              + " same Idempotency-Key, or read the vault to see",
          retryAfter);
    }
    throw t instanceof RuntimeException r ? r : new CompletionException(t);
  }

  static ApiError error(VaultProblem p) {
    return switch (p.kind()) {
      case NOT_FOUND ->
          new ApiError(StatusCodes.NOT_FOUND, p.code(), p.param(), p.message(), List.of());
      case INVALID ->
          new ApiError(StatusCodes.BAD_REQUEST, p.code(), p.param(), p.message(), List.of());
      case FORBIDDEN ->
          new ApiError(StatusCodes.FORBIDDEN, p.code(), p.param(), p.message(), List.of());
      case LIMIT ->
          new ApiError(StatusCodes.BAD_REQUEST, p.code(), p.param(), p.message(), List.of());
      case UNAVAILABLE ->
          new ApiError(
              StatusCodes.SERVICE_UNAVAILABLE,
              p.code(),
              p.param(),
              p.message(),
              List.of(
                  org.apache.pekko.http.javadsl.model.headers.RawHeader.create(
                      "x-should-retry", "false")));
    };
  }
}
