package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.session.SessionEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.StorageFailure;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A 503 means nothing was accepted, and only then (decision 0034). A journal write slower than the
 * ask, or one reported failed although it landed (as a Cassandra write that timed out can), is
 * answered with what landed, or 504 {@code outcome_unknown}; never with a 503 for a change that is
 * there afterwards.
 */
class OutcomeUnknownApiTest {

  private static TestNode node;
  private static PersistenceTestKit journal;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            "agent-runtime.session.ask-timeout = 1s\nagent-runtime.http.retry-after = 3s");
    journal = PersistenceTestKit.create(node.system);
  }

  @AfterEach
  void passAll() {
    journal.resetPolicy();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aPlainMessageWhoseWriteOutlastsTheAskAnswers202WithItsTurn() {
    String id = created("slow-msg");
    holdNextWrite(id, SessionEvent.UserMessageAccepted.class, Duration.ofMillis(1500), false);

    Response r = node.api.post(ADA, "/v1/sessions/" + id + "/messages", "{\"content\": \"hi\"}");

    assertEquals(202, r.status(), "the message was accepted, and the answer says so: " + r);
    String turnId = r.json().get("turnId").asText();
    assertEquals(200, node.api.get(ADA, "/v1/sessions/" + id + "/turns/" + turnId).status());
    assertEquals(1, count(id, SessionEvent.UserMessageAccepted.class));
  }

  @Test
  void aMessageWhoseFailedWriteLandedIsNeverA503() {
    String id = created("landed-msg");
    holdNextWrite(id, SessionEvent.UserMessageAccepted.class, Duration.ZERO, true);

    Response r =
        node.api.send(
            "POST",
            "/v1/sessions/" + id + "/messages",
            ADA,
            "{\"content\": \"hi\"}",
            Map.of("Idempotency-Key", "landed-1"));

    assertNotEquals(503, r.status(), "the message is in the journal: " + r);
    assertEquals(202, r.status(), r.toString());
    Response retried =
        node.api.send(
            "POST",
            "/v1/sessions/" + id + "/messages",
            ADA,
            "{\"content\": \"hi\"}",
            Map.of("Idempotency-Key", "landed-1"));
    assertEquals(r.json().get("turnId"), retried.json().get("turnId"), "the same turn");
    assertEquals(1, count(id, SessionEvent.UserMessageAccepted.class), "one turn");
  }

  @Test
  void aKeyedMemoryWriteWhoseWriteOutlastsTheAskAnswers200AndWritesOnce() {
    String id = created("slow-mem");
    holdNextWrite(id, SessionEvent.MemoryWritten.class, Duration.ofMillis(1500), false);

    Response r = putMemory(id, "colour", "\"blue\"", "mem-1");

    assertEquals(200, r.status(), r.toString());
    assertEquals("blue", r.json().at("/value").asText());
    assertEquals(200, putMemory(id, "colour", "\"blue\"", "mem-1").status(), "a retry");
    assertEquals(1, count(id, SessionEvent.MemoryWritten.class), "written once");
  }

  @Test
  void aWriteWithoutKeyWhoseOutcomeCannotBeToldIs504OutcomeUnknown() {
    String id = created("unknown-mem");
    holdNextWrite(id, SessionEvent.MemoryWritten.class, Duration.ZERO, true);

    Response r = putMemory(id, "colour", "\"blue\"", null);

    assertEquals(504, r.status(), r.toString());
    assertEquals("outcome_unknown", r.errorCode());
    assertTrue(r.header("Retry-After").isPresent());
    assertEquals(1, count(id, SessionEvent.MemoryWritten.class), "it did land");
  }

  @Test
  void aCloseWhoseFailedWriteLandedAnswers200() {
    String id = created("landed-close");
    holdNextWrite(id, SessionEvent.SessionClosed.class, Duration.ZERO, true);

    Response r = node.api.send("DELETE", "/v1/sessions/" + id, ADA, null, Map.of());

    assertEquals(200, r.status(), r.toString());
    assertEquals("closed", r.json().get("status").asText());
  }

  @Test
  void anEraseWhoseFailedWriteLandedAnswers200() {
    String id = created("landed-erase");
    holdNextWrite(id, SessionEvent.SessionErased.class, Duration.ZERO, true);

    Response r = node.api.post(OLGA, "/v1/sessions/" + id + "/erase", "");

    assertEquals(200, r.status(), r.toString());
    assertEquals(404, node.api.get(ADA, "/v1/sessions/" + id).status());
  }

  @Test
  void aKeyedWriteWhoseWriteFailedIsSentAgainUnderItsKey() {
    String id = created("lost-mem");
    journal.failNextPersisted();

    Response r = putMemory(id, "colour", "\"blue\"", "lost-1");

    assertEquals(200, r.status(), r.toString());
    assertEquals(1, count(id, SessionEvent.MemoryWritten.class), "written once");
  }

  @Test
  void aCloseWhoseWriteFailedIs503AndTheSessionStaysOpen() {
    String id = created("lost-close");
    journal.failNextPersisted();

    Response r = node.api.send("DELETE", "/v1/sessions/" + id, ADA, null, Map.of());

    assertEquals(503, r.status(), r.toString());
    assertEquals("storage_unavailable", r.errorCode());
    assertEquals("idle", node.api.get(ADA, "/v1/sessions/" + id).json().get("status").asText());
    assertEquals(0, count(id, SessionEvent.SessionClosed.class), "nothing was accepted");
  }

  private static String created(String prefix) {
    String id = TestNode.newId(prefix);
    Response r = node.api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\"}");
    assertEquals(201, r.status(), r.toString());
    return id;
  }

  private static Response putMemory(String id, String key, String value, String idempotencyKey) {
    return node.api.send(
        "PUT",
        "/v1/sessions/" + id + "/memory/" + key,
        ADA,
        value,
        idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey));
  }

  /**
   * Holds the next write of session {@code id} that journals a {@code type} event for {@code
   * delay}; then it succeeds, or ({@code failAfterLanding}) lands and is reported failed, as a
   * Cassandra write that timed out on the client and was applied anyway.
   */
  private static void holdNextWrite(
      String id, Class<?> type, Duration delay, boolean failAfterLanding) {
    AtomicBoolean held = new AtomicBoolean();
    String persistenceId = "Session|acme:" + id;
    journal.withPolicy(
        (pid, op) -> {
          if (pid.equals(persistenceId)
              && op instanceof WriteEvents write
              && write.getBatch().stream().anyMatch(type::isInstance)
              && held.compareAndSet(false, true)) {
            sleep(delay);
            if (failAfterLanding) {
              List<Object> events = List.copyOf(write.getBatch());
              Thread landing = new Thread(() -> journal.persistForRecovery(pid, events));
              landing.start();
              join(landing);
              return StorageFailure.create();
            }
          }
          return (ProcessingResult) ProcessingSuccess.getInstance();
        });
  }

  private static long count(String id, Class<?> type) {
    return journal.persistedInStorage("Session|acme:" + id).stream()
        .filter(type::isInstance)
        .count();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void join(Thread t) {
    try {
      t.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
