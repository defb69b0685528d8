package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.agentruntime.persistence.cassandra.ManagedCassandra;
import io.agentruntime.persistence.cassandra.ManagedCassandraSettings;
import io.agentruntime.persistence.testing.TestCassandra;
import io.agentruntime.runtime.session.SessionEvent;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 503 means nothing was accepted, and only then (decision 0034), against a real Cassandra frozen
 * mid-write: with Cassandra stopped by SIGSTOP, a message and a memory write, each with an
 * Idempotency-Key, are sent; Cassandra resumes (SIGCONT) a few seconds later, so that the writes it
 * had buffered may land. Each answer is a 2xx or 504 {@code outcome_unknown}, and a 503 only for
 * what is not in the journal afterwards; a retry with the same key then gives exactly one turn and
 * one memory write.
 */
class UnknownOutcomeIntegrationTest {

  private final ManagedCassandraSettings cassandraSettings =
      TestCassandra.nodeSettings(Path.of("target/frozen-cassandra"), 19542, 17500, 17501);
  private ManagedCassandra cassandra;
  private Node node;
  @TempDir Path dir;

  @AfterEach
  void stop() {
    if (cassandra != null) {
      signal("CONT", cassandra.pid());
    }
    if (node != null) {
      node.stop(Duration.ofSeconds(20));
    }
    if (cassandra != null) {
      cassandra.stop();
    }
  }

  @Test
  void writesCutOffByAFrozenCassandraAreNever503AndARetryWithTheKeyWritesOnce() throws Exception {
    deleteRecursively(cassandraSettings.dataDir());
    cassandra = ManagedCassandra.start(cassandraSettings);
    String keyspace = TestCassandra.uniqueKeyspaceName("frozen_it");
    Map<String, Object> store =
        Map.of(
            "agent-runtime.cassandra.keyspace", keyspace,
            "agent-runtime.cassandra.contact-points",
                List.of(cassandraSettings.host() + ":" + cassandraSettings.nativePort()),
            "agent-runtime.cassandra.managed.native-port", cassandraSettings.nativePort());
    node =
        Node.start(
            TestNodes.config(
                ConfigFactory.parseMap(store),
                TestKeysFile.write(dir),
                Map.of(
                    "agent-runtime.session.ask-timeout",
                    "3s",
                    "agent-runtime.http.rate-limit.per-second",
                    0)));
    HttpClientSupport ada = new HttpClientSupport(TestNodes.baseUrl(node), TestKeysFile.ADA);
    String session = "/v1/sessions/frozen";
    assertEquals(201, ada.put(session, "{\"agent\": {\"model\": \"scripted\"}}").statusCode());
    assertEquals(200, ada.put(session + "/memory/warm", "1").statusCode(), "sharding is warm");

    signal("STOP", cassandra.pid());
    CompletableFuture<HttpResponse<String>> message =
        CompletableFuture.supplyAsync(() -> sendMessage(ada, session));
    Thread.sleep(1000); // the message's write is the one Cassandra holds; the memory write waits
    CompletableFuture<HttpResponse<String>> memory =
        CompletableFuture.supplyAsync(() -> putMemory(ada, session));
    Thread.sleep(3000);
    signal("CONT", cassandra.pid());
    HttpResponse<String> messageAnswer = message.get(60, TimeUnit.SECONDS);
    HttpResponse<String> memoryAnswer = memory.get(60, TimeUnit.SECONDS);
    System.out.printf(
        "frozen: message answered %d %s; memory write answered %d %s%n",
        messageAnswer.statusCode(),
        messageAnswer.body(),
        memoryAnswer.statusCode(),
        memoryAnswer.body());

    // What the cut-off requests left in the journal, once the store answers again and the writes
    // it had buffered have landed: a 503 must have left nothing.
    untilAnswered(() -> ada.get(session));
    Thread.sleep(2000);
    List<Object> before = journal("Session|acme:frozen");
    assertAnswered(messageAnswer, count(before, SessionEvent.UserMessageAccepted.class));
    assertAnswered(memoryAnswer, colourWrites(before));

    // Retried with the same keys until the store answers again (as a client told
    // outcome_unknown would).
    HttpResponse<String> messageRetried = untilAnswered(() -> sendMessage(ada, session));
    HttpResponse<String> memoryRetried = untilAnswered(() -> putMemory(ada, session));
    assertEquals(202, messageRetried.statusCode(), messageRetried.body());
    assertEquals(200, memoryRetried.statusCode(), memoryRetried.body());

    List<Object> events = journal("Session|acme:frozen");
    assertEquals(
        1,
        count(events, SessionEvent.UserMessageAccepted.class),
        "one turn for the message and its retries");
    assertEquals(1, colourWrites(events), "one write for the memory write and its retries");
  }

  private static long colourWrites(List<Object> events) {
    return events.stream()
        .filter(e -> e instanceof SessionEvent.MemoryWritten w && w.key().equals("colour"))
        .count();
  }

  /** A 2xx, or 504 outcome_unknown; a 503 ("nothing was accepted") only for what is not there. */
  private static void assertAnswered(HttpResponse<String> r, long landed) {
    int status = r.statusCode();
    if (status == 503) {
      assertEquals(0, landed, "a 503 for a write that is in the journal: " + r.body());
      return;
    }
    assertTrue(
        status / 100 == 2 || (status == 504 && r.body().contains("outcome_unknown")),
        status + " " + r.body());
  }

  private static HttpResponse<String> sendMessage(HttpClientSupport ada, String session) {
    return ada.send(
        ada.request(session + "/messages")
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", "frozen-message-1")
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString("{\"content\": \"while frozen\"}")));
  }

  private static HttpResponse<String> putMemory(HttpClientSupport ada, String session) {
    return ada.send(
        ada.request(session + "/memory/colour")
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", "frozen-memory-1")
            .timeout(Duration.ofSeconds(60))
            .PUT(HttpRequest.BodyPublishers.ofString("\"blue\"")));
  }

  private static HttpResponse<String> untilAnswered(Supplier<HttpResponse<String>> request)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    HttpResponse<String> r = request.get();
    while (r.statusCode() >= 500 && System.currentTimeMillis() < deadline) {
      Thread.sleep(1000);
      r = request.get();
    }
    return r;
  }

  private List<Object> journal(String persistenceId) throws Exception {
    CurrentEventsByPersistenceIdQuery query =
        PersistenceQuery.get(node.system())
            .getReadJournalFor(
                CurrentEventsByPersistenceIdQuery.class, "pekko.persistence.cassandra.query");
    List<EventEnvelope> envelopes =
        query
            .currentEventsByPersistenceId(persistenceId, 0L, Long.MAX_VALUE)
            .runWith(Sink.seq(), node.system())
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    List<Object> events = new ArrayList<>();
    envelopes.forEach(e -> events.add(e.event()));
    return events;
  }

  private static long count(List<Object> events, Class<?> type) {
    return events.stream().filter(type::isInstance).count();
  }

  private static void signal(String signal, long pid) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
      assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> all = Files.walk(path)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
