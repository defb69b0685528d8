package io.agentruntime.runtime.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Listing sessions: per tenant, by id, filtered by user and status, in pages. */
class InMemorySessionDirectoryTest {

  private static final Instant AT = Instant.parse("2025-01-02T03:04:05Z");
  private final InMemorySessionDirectory directory = new InMemorySessionDirectory();

  private static SessionSummary summary(String tenant, String id, String user, String status) {
    return new SessionSummary(tenant, id, user, status, AT, AT);
  }

  private SessionPage list(String tenant, String user, String status, int limit, String cursor) {
    return directory
        .list(
            tenant,
            Optional.ofNullable(user),
            Optional.ofNullable(status),
            limit,
            Optional.ofNullable(cursor))
        .toCompletableFuture()
        .join();
  }

  @BeforeEach
  void fill() {
    for (SessionSummary s :
        List.of(
            summary("acme", "c", "ada", "idle"),
            summary("acme", "a", "ada", "idle"),
            summary("acme", "b", "bob", "closed"),
            summary("acme", "d", "ada", "closed"),
            summary("acme2", "a", "eve", "idle"),
            summary("acm", "z", "eve", "idle"))) {
      directory.upsert(s).toCompletableFuture().join();
    }
  }

  @Test
  void aTenantSeesOnlyItsOwnSessionsOrderedById() {
    assertEquals(
        List.of("a", "b", "c", "d"),
        list("acme", null, null, 10, null).sessions().stream()
            .map(SessionSummary::sessionId)
            .toList());
    assertEquals(
        List.of(summary("acm", "z", "eve", "idle")), list("acm", null, null, 10, null).sessions());
  }

  @Test
  void filtersByUserAndStatus() {
    assertEquals(
        List.of(
            summary("acme", "a", "ada", "idle"),
            summary("acme", "c", "ada", "idle"),
            summary("acme", "d", "ada", "closed")),
        list("acme", "ada", null, 10, null).sessions());
    assertEquals(
        List.of(summary("acme", "d", "ada", "closed")),
        list("acme", "ada", "closed", 10, null).sessions());
  }

  @Test
  void pagesFollowTheCursorToTheEnd() {
    SessionPage first = list("acme", null, null, 3, null);
    assertEquals(
        List.of("a", "b", "c"), first.sessions().stream().map(SessionSummary::sessionId).toList());
    assertEquals(Optional.of("c"), first.nextCursor());

    SessionPage last = list("acme", null, null, 3, first.nextCursor().get());
    assertEquals(List.of(summary("acme", "d", "ada", "closed")), last.sessions());
    assertEquals(Optional.empty(), last.nextCursor());
  }

  @Test
  void anExactlyFullPageIsTheLast() {
    SessionPage page = list("acme", null, null, 4, null);
    assertEquals(4, page.sessions().size());
    assertEquals(Optional.empty(), page.nextCursor());
  }

  @Test
  void anUpsertReplacesTheSummary() {
    SessionSummary closed =
        new SessionSummary("acme", "a", "ada", "closed", AT, AT.plusSeconds(60));
    directory.upsert(closed).toCompletableFuture().join();
    assertEquals(closed, list("acme", null, null, 10, null).sessions().get(0));
  }

  @Test
  void aLimitBelowOneIsRefused() {
    CompletionException e =
        assertThrows(CompletionException.class, () -> list("acme", null, null, 0, null));
    assertEquals(IllegalArgumentException.class, e.getCause().getClass());
  }

  private static SessionSummary spent(
      String tenant, String id, String user, String status, String usd) {
    return new SessionSummary(
        tenant, id, user, status, AT, AT, new ListedUsage(1, 2, new java.math.BigDecimal(usd)));
  }

  private SessionPage byCost(String tenant, String user, String status, int limit, String cursor) {
    return directory
        .listByCost(
            tenant,
            Optional.ofNullable(user),
            Optional.ofNullable(status),
            limit,
            Optional.ofNullable(cursor).flatMap(CostPosition::fromCursor))
        .toCompletableFuture()
        .join();
  }

  private static List<String> ids(SessionPage page) {
    return page.sessions().stream().map(SessionSummary::sessionId).toList();
  }

  @Test
  void byCostTheMostExpensiveComeFirstInPagesAndLinesWithoutUsageAreLeftOut() {
    for (SessionSummary s :
        List.of(
            spent("acme", "a", "ada", "idle", "0.5"),
            spent("acme", "b", "bob", "closed", "2"),
            spent("acme", "c", "ada", "idle", "0.5"),
            spent("acme", "d", "ada", "running", "0"),
            spent("acme2", "e", "eve", "idle", "99"))) {
      directory.upsert(s).toCompletableFuture().join();
    }
    // "a" and "c" were replaced by lines with usage; "b" and "d" too: no line without usage left
    // but the fill's "acme2"/"acm" ones, which are in other tenants or have none.
    SessionPage first = byCost("acme", null, null, 2, null);
    SessionPage second = byCost("acme", null, null, 2, first.nextCursor().orElseThrow());

    assertEquals(List.of("b", "c"), ids(first));
    assertEquals(List.of("a", "d"), ids(second));
    assertEquals(Optional.empty(), second.nextCursor());
    assertEquals(List.of("c", "a", "d"), ids(byCost("acme", "ada", null, 10, null)));
    assertEquals(List.of("c", "a"), ids(byCost("acme", "ada", "idle", 10, null)));
    assertEquals(List.of(), ids(byCost("acm", null, null, 10, null)), "no usage: not listed");
  }
}
