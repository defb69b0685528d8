package io.agentruntime.http.request;

import io.agentruntime.http.error.ApiError;
import io.agentruntime.runtime.directory.CostPosition;
import java.util.Optional;
import java.util.Set;

/**
 * The query of {@code GET /v1/sessions}: {@code status}, {@code limit}, {@code cursor} and {@code
 * sort} ({@code cost}: most expensive first; left out: by session id). A malformed one is a 400
 * naming it. The cursor of the listing by cost is a position ({@code after}); the other listing's
 * is the last session id of the previous page ({@code cursor}).
 */
public record SessionListQuery(
    Optional<String> status,
    int limit,
    boolean byCost,
    Optional<String> cursor,
    Optional<CostPosition> after) {

  public static final String SORT_BY_COST = "cost";

  private static final Set<String> STATUSES =
      Set.of("idle", "running", "awaiting_approval", "awaiting_client", "suspended", "closed");

  public static SessionListQuery read(
      Optional<String> status,
      Optional<String> limit,
      Optional<String> cursor,
      Optional<String> sort,
      int defaultLimit,
      int maxLimit) {
    if (status.isPresent() && !STATUSES.contains(status.get())) {
      throw ApiError.invalidField(
          "status must be idle, running, awaiting_approval, awaiting_client, suspended or closed");
    }
    int pageSize = QueryParams.limit(limit, defaultLimit, maxLimit);
    boolean byCost = sort.filter(s -> !s.isEmpty()).isPresent();
    if (byCost && !SORT_BY_COST.equals(sort.get())) {
      throw ApiError.invalidField(
          "sort", "sort must be cost (the most expensive sessions first) or left out");
    }
    Optional<String> given = QueryParams.cursor(cursor);
    if (!byCost) {
      return new SessionListQuery(status, pageSize, false, given, Optional.empty());
    }
    Optional<CostPosition> after =
        given.map(
            c ->
                CostPosition.fromCursor(c)
                    .orElseThrow(
                        () ->
                            ApiError.invalidField(
                                "cursor", "cursor is not a cursor this listing by cost gave out")));
    return new SessionListQuery(status, pageSize, true, Optional.empty(), after);
  }
}
