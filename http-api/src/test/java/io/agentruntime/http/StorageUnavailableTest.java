package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.agentruntime.http.Api.Response;
import io.agentruntime.http.error.ErrorMapper;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A store that does not answer in time is a 503 with Retry-After, and nothing is accepted. */
class StorageUnavailableTest {

  private static TestNode node;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            "agent-runtime.session.ask-timeout = 1s\nagent-runtime.http.retry-after = 3s");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aFailedJournalWriteIs503AndCreatesNothing() throws Exception {
    String id = TestNode.newId("down");
    // Warm up sharding so that only the failed write, not the first allocation, can be slow.
    ApiKeysTest.eventually(() -> node.api.get(ADA, "/v1/sessions/" + id).status() == 404);

    PersistenceTestKit.create(node.system).failNextPersisted();
    Logger errors = (Logger) LoggerFactory.getLogger(ErrorMapper.class);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    errors.addAppender(captured);
    Response r;
    try {
      r = node.api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\"}");
    } finally {
      errors.detachAppender(captured);
    }
    assertEquals(503, r.status(), r.toString());
    String requestId = r.header("X-Request-Id").orElseThrow();
    assertTrue(
        captured.list.stream()
            .anyMatch(e -> requestId.equals(e.getMDCPropertyMap().get("requestId"))),
        "the node's log line about the timeout carries the request id: " + captured.list);
    assertEquals("storage_unavailable", r.errorCode());
    assertEquals("3", r.header("Retry-After").orElseThrow());
    assertEquals(r.header("X-Request-Id").orElseThrow(), r.json().at("/error/requestId").asText());

    ApiKeysTest.eventually(() -> node.api.get(ADA, "/v1/sessions/" + id).status() != 503);
    assertEquals(404, node.api.get(ADA, "/v1/sessions/" + id).status(), "a 503 accepted nothing");
    Response retried = node.api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\"}");
    assertEquals(201, retried.status(), "a retry once the store is back succeeds");
    assertTrue(retried.json().get("lastSeq").asLong() == 1);
  }
}
