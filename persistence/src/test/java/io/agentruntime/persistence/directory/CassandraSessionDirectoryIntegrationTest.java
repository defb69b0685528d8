package io.agentruntime.persistence.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.persistence.testing.TestCassandra;
import io.agentruntime.runtime.directory.CostPosition;
import io.agentruntime.runtime.directory.ListedUsage;
import io.agentruntime.runtime.directory.SessionPage;
import io.agentruntime.runtime.directory.SessionSummary;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CassandraSessionDirectoryIntegrationTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static CassandraSessionDirectory directory;
  private static String keyspace;

  /** Fetches 4 rows per round trip, so that a filtered listing needs several. */
  private static CassandraSessionDirectory smallPages;

  @BeforeAll
  static void migratedKeyspace() {
    TestCassandra cassandra = TestCassandra.get();
    keyspace = cassandra.createKeyspace("directory");
    directory = new CassandraSessionDirectory(cassandra.session(), keyspace);
    smallPages = new CassandraSessionDirectory(cassandra.session(), keyspace, 4);
  }

  private static SessionSummary summary(
      String tenant, String id, String user, String status, int minute) {
    return new SessionSummary(tenant, id, user, status, T0, T0.plusSeconds(60L * minute));
  }

  private static void upsert(SessionSummary s) {
    directory.upsert(s).toCompletableFuture().join();
  }

  private static SessionPage list(
      String tenant,
      Optional<String> user,
      Optional<String> status,
      int limit,
      Optional<String> cursor) {
    return directory.list(tenant, user, status, limit, cursor).toCompletableFuture().join();
  }

  private static SessionPage join(CompletionStage<SessionPage> page) {
    return page.toCompletableFuture().join();
  }

  private static List<String> ids(SessionPage page) {
    return page.sessions().stream().map(SessionSummary::sessionId).toList();
  }

  @Test
  void anUpsertIsListedAndASecondReplacesIt() {
    upsert(summary("t-replace", "s1", "ada", "idle", 0));
    upsert(summary("t-replace", "s1", "ada", "running", 1));

    SessionPage page = list("t-replace", Optional.empty(), Optional.empty(), 10, Optional.empty());

    assertEquals(List.of(summary("t-replace", "s1", "ada", "running", 1)), page.sessions());
    assertEquals(Optional.empty(), page.nextCursor());
  }

  @Test
  void anOlderSummaryArrivingLateDoesNotOverwriteANewerOne() {
    upsert(summary("t-late", "s1", "ada", "closed", 5));
    upsert(summary("t-late", "s1", "ada", "running", 2));

    assertEquals(
        "closed",
        list("t-late", Optional.empty(), Optional.empty(), 10, Optional.empty())
            .sessions()
            .get(0)
            .status());
    assertEquals(
        "closed",
        list("t-late", Optional.of("ada"), Optional.empty(), 10, Optional.empty())
            .sessions()
            .get(0)
            .status());
  }

  @Test
  void pagesWalkTheTenantInSessionIdOrderWithoutGapsOrRepeats() {
    IntStream.range(0, 7)
        .forEach(i -> upsert(summary("t-pages", "s" + i, i % 2 == 0 ? "ada" : "bob", "idle", i)));

    List<String> seen = new ArrayList<>();
    Optional<String> cursor = Optional.empty();
    List<Integer> pageSizes = new ArrayList<>();
    do {
      SessionPage page = list("t-pages", Optional.empty(), Optional.empty(), 3, cursor);
      seen.addAll(ids(page));
      pageSizes.add(page.sessions().size());
      cursor = page.nextCursor();
    } while (cursor.isPresent());

    assertEquals(List.of("s0", "s1", "s2", "s3", "s4", "s5", "s6"), seen);
    assertEquals(List.of(3, 3, 1), pageSizes);
  }

  @Test
  void aFullLastPageHasNoNextCursor() {
    IntStream.range(0, 4).forEach(i -> upsert(summary("t-exact", "s" + i, "ada", "idle", i)));

    SessionPage first = list("t-exact", Optional.empty(), Optional.empty(), 2, Optional.empty());
    SessionPage second = list("t-exact", Optional.empty(), Optional.empty(), 2, first.nextCursor());

    assertEquals(List.of("s2", "s3"), ids(second));
    assertEquals(Optional.empty(), second.nextCursor());
  }

  @Test
  void aUserSeesOnlyTheirSessionsAndTenantsNeverMix() {
    upsert(summary("t-users", "a1", "ada", "idle", 0));
    upsert(summary("t-users", "b1", "bob", "idle", 0));
    upsert(summary("t-users", "a2", "ada", "idle", 0));
    upsert(summary("t-users-other", "a3", "ada", "idle", 0));

    assertEquals(
        List.of("a1", "a2"),
        ids(list("t-users", Optional.of("ada"), Optional.empty(), 10, Optional.empty())));
    assertEquals(
        List.of("b1"),
        ids(list("t-users", Optional.of("bob"), Optional.empty(), 10, Optional.empty())));
    assertEquals(
        List.of("a1", "a2", "b1"),
        ids(list("t-users", Optional.empty(), Optional.empty(), 10, Optional.empty())));
    assertEquals(
        List.of(), ids(list("t-nobody", Optional.empty(), Optional.empty(), 10, Optional.empty())));
  }

  @Test
  void theStatusFilterPagesThroughRowsItSkips() {
    // 30 sessions, every third one running: the filter must look past non-matching rows.
    IntStream.range(0, 30)
        .forEach(
            i ->
                upsert(
                    summary(
                        "t-status",
                        String.format("s%02d", i),
                        i % 2 == 0 ? "ada" : "bob",
                        i % 3 == 0 ? "running" : "idle",
                        i)));

    for (CassandraSessionDirectory d : List.of(directory, smallPages)) {
      SessionPage first =
          join(d.list("t-status", Optional.empty(), Optional.of("running"), 4, Optional.empty()));
      SessionPage second =
          join(d.list("t-status", Optional.empty(), Optional.of("running"), 4, first.nextCursor()));
      SessionPage third =
          join(
              d.list("t-status", Optional.empty(), Optional.of("running"), 4, second.nextCursor()));

      assertEquals(List.of("s00", "s03", "s06", "s09"), ids(first));
      assertEquals(List.of("s12", "s15", "s18", "s21"), ids(second));
      assertEquals(List.of("s24", "s27"), ids(third));
      assertEquals(Optional.empty(), third.nextCursor());
      assertEquals(
          List.of("s00", "s06", "s12", "s18", "s24"),
          ids(
              join(
                  d.list(
                      "t-status",
                      Optional.of("ada"),
                      Optional.of("running"),
                      10,
                      Optional.empty()))));
    }
  }

  @Test
  void aSessionMovesBetweenStatusesAndALateOlderStatusDoesNotBringItBack() {
    upsert(summary("t-move", "s1", "ada", "idle", 0));
    upsert(summary("t-move", "s1", "ada", "running", 1));
    upsert(summary("t-move", "s1", "ada", "suspended", 3));
    upsert(summary("t-move", "s1", "ada", "running", 2)); // arrives late: older than suspended

    assertEquals(
        List.of("s1"),
        ids(list("t-move", Optional.empty(), Optional.of("suspended"), 10, Optional.empty())));
    for (String other : List.of("idle", "running", "awaiting_approval", "closed")) {
      assertEquals(
          List.of(),
          ids(list("t-move", Optional.empty(), Optional.of(other), 10, Optional.empty())),
          other);
    }
    upsert(
        summary(
            "t-move", "s1", "ada", "suspended", 3)); // a recovering session writes again: no change
    assertEquals(
        List.of("s1"),
        ids(list("t-move", Optional.empty(), Optional.of("suspended"), 10, Optional.empty())));
  }

  @Test
  void aRemovedSessionIsInNoListing() {
    upsert(summary("t-remove", "s1", "ada", "running", 1));
    upsert(summary("t-remove", "s2", "ada", "running", 1));

    directory.remove("t-remove", "s1").toCompletableFuture().join();
    directory.remove("t-remove", "never-there").toCompletableFuture().join();

    assertEquals(
        List.of("s2"),
        ids(list("t-remove", Optional.empty(), Optional.empty(), 10, Optional.empty())));
    assertEquals(
        List.of("s2"),
        ids(list("t-remove", Optional.of("ada"), Optional.empty(), 10, Optional.empty())));
    assertEquals(
        List.of("s2"),
        ids(list("t-remove", Optional.empty(), Optional.of("running"), 10, Optional.empty())));
  }

  @Test
  void aLimitBelowOneIsRefused() {
    CompletionException e =
        assertThrows(
            CompletionException.class,
            () ->
                directory
                    .list("t", Optional.empty(), Optional.empty(), 0, Optional.empty())
                    .toCompletableFuture()
                    .join());
    assertTrue(e.getCause() instanceof IllegalArgumentException);
  }

  // The listing by cost (V005, ADR 0063).

  private static SessionSummary spent(
      String tenant, String id, String user, String status, int minute, String usd) {
    return new SessionSummary(
        tenant,
        id,
        user,
        status,
        T0,
        T0.plusSeconds(60L * minute),
        new ListedUsage(minute, 2L * minute, new BigDecimal(usd)));
  }

  /**
   * A write from a writer whose previous write listed {@code listedUsd} (null: it does not know).
   */
  private static void write(SessionSummary s, String listedUsd) {
    directory
        .upsert(s, Optional.ofNullable(listedUsd).map(BigDecimal::new))
        .toCompletableFuture()
        .join();
  }

  private static SessionPage byCost(
      CassandraSessionDirectory d,
      String tenant,
      Optional<String> user,
      Optional<String> status,
      int limit,
      Optional<String> cursor) {
    return join(
        d.listByCost(tenant, user, status, limit, cursor.flatMap(CostPosition::fromCursor)));
  }

  private static SessionPage byCost(String tenant, Optional<String> user, int limit) {
    return byCost(directory, tenant, user, Optional.empty(), limit, Optional.empty());
  }

  /** Every page of a listing by cost, as (cost id) strings in the order shown. */
  private static List<String> walk(
      CassandraSessionDirectory d,
      String tenant,
      Optional<String> user,
      Optional<String> status,
      int limit) {
    List<String> seen = new ArrayList<>();
    Optional<String> cursor = Optional.empty();
    do {
      SessionPage page = byCost(d, tenant, user, status, limit, cursor);
      page.sessions()
          .forEach(s -> seen.add(s.usage().costUsd().toPlainString() + " " + s.sessionId()));
      cursor = page.nextCursor();
    } while (cursor.isPresent());
    return seen;
  }

  /** The raw rows of the tenant's table by cost, stale ones included. */
  private static List<String> positions(String tenant) {
    return TestCassandra.get()
        .session()
        .execute(
            "SELECT cost_usd, session_id FROM " + keyspace + ".sessions_by_cost WHERE tenant = ?",
            tenant)
        .all()
        .stream()
        .map(r -> r.getBigDecimal("cost_usd").toPlainString() + " " + r.getString("session_id"))
        .toList();
  }

  @Test
  void byCostTheMostExpensiveComeFirstInPagesWithTiesAndTenantsNeverMix() {
    String[][] rows = {
      {"s0", "ada", "0.5"},
      {"s1", "bob", "3"},
      {"s2", "ada", "0"},
      {"s3", "ada", "0.5"},
      {"s4", "bob", "12.25"},
      {"s5", "ada", "0.5"},
      {"s6", "bob", "0"}
    };
    for (String[] r : rows) {
      write(spent("t-cost", r[0], r[1], "idle", 1, r[2]), null);
    }
    write(spent("t-cost-other", "s9", "ada", "idle", 1, "99"), null);

    List<String> all = List.of("12.25 s4", "3 s1", "0.5 s5", "0.5 s3", "0.5 s0", "0 s6", "0 s2");
    for (CassandraSessionDirectory d : List.of(directory, smallPages)) {
      for (int limit : List.of(1, 2, 3, 7, 50)) {
        assertEquals(all, walk(d, "t-cost", Optional.empty(), Optional.empty(), limit), "" + limit);
      }
      assertEquals(
          List.of("0.5 s5", "0.5 s3", "0.5 s0", "0 s2"),
          walk(d, "t-cost", Optional.of("ada"), Optional.empty(), 2));
    }
    SessionPage first = byCost("t-cost", Optional.empty(), 2);
    assertEquals(List.of("s4", "s1"), ids(first));
    assertEquals(spent("t-cost", "s4", "bob", "idle", 1, "12.25"), first.sessions().get(0));
    assertEquals(List.of("s9"), ids(byCost("t-cost-other", Optional.empty(), 10)));
    assertEquals(List.of(), ids(byCost("t-cost-nobody", Optional.empty(), 10)));
  }

  @Test
  void aCostChangeMovesTheSessionAndALateOlderWriteDoesNotBringTheOldPositionBack() {
    write(spent("t-cmove", "s1", "ada", "idle", 0, "0"), null);
    write(spent("t-cmove", "s1", "ada", "running", 1, "0.5"), "0");
    write(spent("t-cmove", "s1", "ada", "idle", 2, "1.5"), "0.5");
    write(spent("t-cmove", "s1", "ada", "running", 1, "0.5"), "0"); // a retry, arriving late

    assertEquals(List.of("1.5 s1"), positions("t-cmove"));
    for (Optional<String> user : List.of(Optional.<String>empty(), Optional.of("ada"))) {
      assertEquals(
          List.of(spent("t-cmove", "s1", "ada", "idle", 2, "1.5")),
          byCost("t-cmove", user, 10).sessions());
    }
    write(spent("t-cmove", "s1", "ada", "closed", 3, "1.5"), "1.5"); // status only: stays put
    assertEquals(
        List.of(spent("t-cmove", "s1", "ada", "closed", 3, "1.5")),
        byCost("t-cmove", Optional.empty(), 10).sessions(),
        "a closed session is still listed with its final cost");
  }

  @Test
  void aPositionLeftByAWriterThatDidNotKnowIsNeverListedAndIsDropped() throws InterruptedException {
    write(spent("t-stale", "s1", "ada", "idle", 1, "0.5"), null);
    write(spent("t-stale", "s2", "bob", "idle", 1, "1"), null);
    // The session recovered after the write of 2 USD was lost; its writer does not know 0.5 was
    // listed, so the old position stays behind.
    write(spent("t-stale", "s1", "ada", "idle", 3, "2"), null);
    assertEquals(List.of("2 s1", "1 s2", "0.5 s1"), positions("t-stale"));

    for (CassandraSessionDirectory d : List.of(directory, smallPages)) {
      assertEquals(
          List.of("2 s1", "1 s2"), walk(d, "t-stale", Optional.empty(), Optional.empty(), 1));
      assertEquals(List.of("2 s1"), walk(d, "t-stale", Optional.of("ada"), Optional.empty(), 1));
    }
    long until = System.nanoTime() + 5_000_000_000L;
    while (positions("t-stale").size() > 2 && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    assertEquals(List.of("2 s1", "1 s2"), positions("t-stale"), "the listing dropped it");
  }

  @Test
  void byCostWithAStatusPagesThroughRowsItSkips() {
    IntStream.range(0, 30)
        .forEach(
            i ->
                write(
                    spent(
                        "t-cstatus",
                        String.format("s%02d", i),
                        i % 2 == 0 ? "ada" : "bob",
                        i % 3 == 0 ? "running" : "idle",
                        1,
                        Integer.toString(i)),
                    null));
    for (CassandraSessionDirectory d : List.of(directory, smallPages)) {
      assertEquals(
          List.of(
              "27 s27", "24 s24", "21 s21", "18 s18", "15 s15", "12 s12", "9 s09", "6 s06", "3 s03",
              "0 s00"),
          walk(d, "t-cstatus", Optional.empty(), Optional.of("running"), 4));
      assertEquals(
          List.of("24 s24", "18 s18", "12 s12", "6 s06", "0 s00"),
          walk(d, "t-cstatus", Optional.of("ada"), Optional.of("running"), 2));
    }
  }

  @Test
  void aLineWithoutUsageIsListedWithoutItAndNotByCost() {
    upsert(summary("t-nousage", "s1", "ada", "idle", 1));

    assertEquals(
        List.of(summary("t-nousage", "s1", "ada", "idle", 1)),
        list("t-nousage", Optional.empty(), Optional.empty(), 10, Optional.empty()).sessions());
    assertEquals(List.of(), ids(byCost("t-nousage", Optional.empty(), 10)));
    write(spent("t-nousage", "s1", "ada", "idle", 2, "0.25"), null);
    assertEquals(
        List.of(spent("t-nousage", "s1", "ada", "idle", 2, "0.25")),
        list("t-nousage", Optional.of("ada"), Optional.empty(), 10, Optional.empty()).sessions(),
        "every listing shows the usage once it is known");
  }

  @Test
  void aRemovedSessionIsNotListedByCost() {
    write(spent("t-cremove", "s1", "ada", "idle", 1, "5"), null);
    write(spent("t-cremove", "s2", "ada", "idle", 1, "1"), null);

    directory.remove("t-cremove", "s1").toCompletableFuture().join();

    assertEquals(List.of("s2"), ids(byCost("t-cremove", Optional.empty(), 10)));
    assertEquals(List.of("s2"), ids(byCost("t-cremove", Optional.of("ada"), 10)));
    assertEquals(List.of("1 s2"), positions("t-cremove"));
  }
}
