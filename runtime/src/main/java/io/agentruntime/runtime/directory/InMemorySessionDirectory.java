package io.agentruntime.runtime.directory;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.pekko.Done;

/** A directory held in this JVM: for tests and for runs on the in-memory journal. */
public final class InMemorySessionDirectory implements SessionDirectory {

  private final ConcurrentSkipListMap<String, SessionSummary> byKey = new ConcurrentSkipListMap<>();

  @Override
  public CompletionStage<Done> upsert(SessionSummary summary) {
    byKey.put(key(summary.tenant(), summary.sessionId()), summary);
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  @Override
  public CompletionStage<Done> remove(String tenant, String sessionId) {
    byKey.remove(key(tenant, sessionId));
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  @Override
  public CompletionStage<SessionPage> list(
      String tenant,
      Optional<String> user,
      Optional<String> status,
      int limit,
      Optional<String> cursor) {
    if (limit < 1) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("limit must be at least 1, was " + limit));
    }
    String from = cursor.map(c -> key(tenant, c)).orElse(key(tenant, ""));
    List<SessionSummary> matching =
        byKey.tailMap(from, cursor.isEmpty()).entrySet().stream()
            .takeWhile(e -> e.getKey().startsWith(tenant + '\u0000'))
            .map(Map.Entry::getValue)
            .filter(s -> user.map(s.user()::equals).orElse(true))
            .filter(s -> status.map(s.status()::equals).orElse(true))
            .limit(limit + 1L)
            .toList();
    if (matching.size() <= limit) {
      return CompletableFuture.completedFuture(new SessionPage(matching, Optional.empty()));
    }
    List<SessionSummary> page = matching.subList(0, limit);
    return CompletableFuture.completedFuture(
        new SessionPage(page, Optional.of(page.get(limit - 1).sessionId())));
  }

  @Override
  public CompletionStage<SessionPage> listByCost(
      String tenant,
      Optional<String> user,
      Optional<String> status,
      int limit,
      Optional<CostPosition> after) {
    if (limit < 1) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("limit must be at least 1, was " + limit));
    }
    List<SessionSummary> matching =
        byKey.values().stream()
            .filter(s -> s.tenant().equals(tenant) && s.usage() != null)
            .filter(s -> user.map(s.user()::equals).orElse(true))
            .filter(s -> status.map(s.status()::equals).orElse(true))
            .filter(s -> after.map(CostPosition.of(s)::comesAfter).orElse(true))
            .sorted(Comparator.comparing(CostPosition::of, CostPosition.ORDER))
            .limit(limit + 1L)
            .toList();
    if (matching.size() <= limit) {
      return CompletableFuture.completedFuture(new SessionPage(matching, Optional.empty()));
    }
    List<SessionSummary> page = matching.subList(0, limit);
    return CompletableFuture.completedFuture(
        new SessionPage(page, Optional.of(CostPosition.of(page.get(limit - 1)).cursor())));
  }

  private static String key(String tenant, String sessionId) {
    return tenant + '\u0000' + sessionId;
  }
}
