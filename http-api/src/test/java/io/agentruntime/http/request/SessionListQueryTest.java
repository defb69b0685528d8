package io.agentruntime.http.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.agentruntime.http.error.ApiError;
import io.agentruntime.runtime.directory.CostPosition;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@code GET /v1/sessions} makes of its query, and which queries it refuses. */
class SessionListQueryTest {

  private static final String COST_CURSOR = new CostPosition(new BigDecimal("0.08"), "s1").cursor();

  private static SessionListQuery read(String status, String limit, String cursor, String sort) {
    return SessionListQuery.read(
        Optional.ofNullable(status),
        Optional.ofNullable(limit),
        Optional.ofNullable(cursor),
        Optional.ofNullable(sort),
        50,
        200);
  }

  @Test
  void readsEachListing() {
    record Case(String status, String limit, String cursor, String sort, SessionListQuery want) {}
    for (Case c :
        List.of(
            new Case(
                null,
                null,
                null,
                null,
                new SessionListQuery(
                    Optional.empty(), 50, false, Optional.empty(), Optional.empty())),
            new Case(
                "running",
                "500",
                "s7",
                null,
                new SessionListQuery(
                    Optional.of("running"), 200, false, Optional.of("s7"), Optional.empty())),
            new Case(
                null,
                "3",
                null,
                "",
                new SessionListQuery(
                    Optional.empty(), 3, false, Optional.empty(), Optional.empty())),
            new Case(
                null,
                null,
                null,
                "cost",
                new SessionListQuery(
                    Optional.empty(), 50, true, Optional.empty(), Optional.empty())),
            new Case(
                "closed",
                "10",
                COST_CURSOR,
                "cost",
                new SessionListQuery(
                    Optional.of("closed"),
                    10,
                    true,
                    Optional.empty(),
                    Optional.of(new CostPosition(new BigDecimal("0.08"), "s1")))))) {
      assertEquals(c.want(), read(c.status(), c.limit(), c.cursor(), c.sort()), c.toString());
    }
  }

  @Test
  void refusesWhatItCannotReadNamingTheParameter() {
    record Case(String status, String limit, String cursor, String sort, String param) {}
    for (Case c :
        List.of(
            new Case(null, null, null, "bogus", "sort"),
            new Case(null, null, null, "-cost", "sort"),
            new Case(null, null, null, "COST", "sort"),
            new Case(null, null, "s7", "cost", "cursor"),
            new Case(null, null, "x".repeat(300), "cost", "cursor"),
            new Case("stuck", null, null, "cost", null),
            new Case(null, "0", null, "cost", null))) {
      ApiError e =
          assertThrows(
              ApiError.class,
              () -> read(c.status(), c.limit(), c.cursor(), c.sort()),
              c.toString());
      assertEquals(400, e.status().intValue(), c.toString());
      assertEquals("invalid_field", e.code(), c.toString());
      assertEquals(c.param(), e.param(), c.toString());
    }
  }
}
