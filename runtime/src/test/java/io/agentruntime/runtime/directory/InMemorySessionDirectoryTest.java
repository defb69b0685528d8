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
}
