package io.agentruntime.persistence.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.persistence.testing.TestCassandra;
import io.agentruntime.runtime.directory.SessionPage;
import io.agentruntime.runtime.directory.SessionSummary;
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

  /** Fetches 4 rows per round trip, so that a filtered listing needs several. */
  private static CassandraSessionDirectory smallPages;

  @BeforeAll
  static void migratedKeyspace() {
    TestCassandra cassandra = TestCassandra.get();
    String keyspace = cassandra.createKeyspace("directory");
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
}
