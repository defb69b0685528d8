package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;

import io.agentruntime.http.HttpSettings;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.json.PendingApprovalBody;
import io.agentruntime.http.request.QueryParams;
import io.agentruntime.http.request.RequestIds;
import io.agentruntime.runtime.approvals.ApprovalPages;
import io.agentruntime.runtime.approvals.TenantApprovals;
import io.agentruntime.runtime.session.SessionRefused;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/approvals}: the pending approvals of the caller's tenant across its sessions,
 * oldest first (decision 0035). Any key of the tenant may list (deciding still needs the approver
 * role); it sees the approvals of the sessions it may see, as {@code GET /v1/sessions} does.
 */
public final class TenantApprovalRoutes {

  private static final Logger log = LoggerFactory.getLogger(TenantApprovalRoutes.class);

  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  private final TenantApprovals approvals;
  private final HttpSettings settings;
  private final ApprovalStream stream;

  TenantApprovalRoutes(TenantApprovals approvals, HttpSettings settings, ApprovalStream stream) {
    this.approvals = approvals;
    this.settings = settings;
    this.stream = stream;
  }

  /** The routes below {@code /v1/approvals}. */
  Route routes(Principal principal) {
    return concat(
        pathEnd(() -> get(() -> list(principal))),
        path("events", () -> get(() -> stream.route(principal))));
  }

  private Route list(Principal principal) {
    return extractRequest(
        request ->
            parameterOptional(
                "status",
                status ->
                    parameterOptional(
                        "limit",
                        limit ->
                            parameterOptional(
                                "after",
                                after -> {
                                  if (status.isPresent() && !"pending".equals(status.get())) {
                                    throw ApiError.invalidField(
                                        "status", "status must be pending (the only one listed)");
                                  }
                                  int pageSize = limit(limit);
                                  Optional<ApprovalPages.Position> from = position(after);
                                  return Responses.ok(
                                      approvals
                                          .pending(
                                              principal.tenant(),
                                              principal.caller(),
                                              from,
                                              pageSize)
                                          .handle(
                                              (page, failure) -> {
                                                if (failure == null) {
                                                  return PendingApprovalBody.Page.of(page);
                                                }
                                                Throwable cause =
                                                    failure instanceof CompletionException c
                                                            && c.getCause() != null
                                                        ? c.getCause()
                                                        : failure;
                                                if (cause instanceof SessionRefused refused) {
                                                  throw refused;
                                                }
                                                RequestIds.logWith(
                                                    RequestIds.of(request),
                                                    () ->
                                                        log.warn(
                                                            "Listing approvals of tenant {} failed:"
                                                                + " {}",
                                                            principal.tenant(),
                                                            cause.toString()));
                                                throw ApiError.storageUnavailable(
                                                    settings.retryAfter());
                                              }));
                                }))));
  }

  private static int limit(Optional<String> raw) {
    if (raw.isPresent()) {
      String v = raw.get();
      if (!v.matches("[0-9]{1,3}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > MAX_LIMIT) {
        throw ApiError.invalidField("limit", "limit must be an integer from 1 to " + MAX_LIMIT);
      }
    }
    return QueryParams.limit(raw, DEFAULT_LIMIT, MAX_LIMIT);
  }

  private static Optional<ApprovalPages.Position> position(Optional<String> raw) {
    Optional<String> cursor = raw.filter(c -> !c.isEmpty());
    if (cursor.isEmpty()) {
      return Optional.empty();
    }
    if (cursor.get().length() > 512) {
      throw ApiError.invalidField("after", "after is not a cursor this listing gave out");
    }
    return Optional.of(
        ApprovalPages.Position.parse(cursor.get())
            .orElseThrow(
                () ->
                    ApiError.invalidField("after", "after is not a cursor this listing gave out")));
  }
}
