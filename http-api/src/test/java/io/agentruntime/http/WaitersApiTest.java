package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.BOB;
import static io.agentruntime.http.TestKeys.GINA;
import static io.agentruntime.http.TestKeys.GUS;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.http.Api.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests that wait (for a turn, or on an event stream) are bounded in time and in number: per API
 * key on a node, and per session; a key removed from the keys file ends its streams.
 */
class WaitersApiTest {

  private static TestNode node;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            agent-runtime.http.max-waiting-requests-per-key = 2
            agent-runtime.http.events.max-streams-per-key = 1
            agent-runtime.session.max-waiters = 3
            """);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** A new session of {@code key}'s whose first turn keeps running. */
  private static String sessionWithARunningTurn(String key) {
    String id = TestNode.newId("wait");
    Response created =
        node.api.post(
            key, "/v1/sessions", "{\"id\": \"" + id + "\", \"agent\": {\"model\": \"stall\"}}");
    assertEquals(201, created.status(), created.toString());
    return "/v1/sessions/" + id;
  }

  private static String send(String key, String session) {
    Response sent = node.api.post(key, session + "/messages", "{\"content\": \"hi\"}");
    assertEquals(202, sent.status(), sent.toString());
    return session + "/turns/" + sent.json().get("turnId").asText();
  }

  private static CompletableFuture<Response> waiting(String key, String turn, int seconds) {
    return CompletableFuture.supplyAsync(() -> node.api.get(key, turn + "?waitSeconds=" + seconds));
  }

  private static void assertTooMany(String code, Response r) {
    assertEquals(429, r.status(), r.toString());
    assertEquals(code, r.errorCode());
    assertTrue(r.header("Retry-After").isPresent(), "Retry-After: " + r);
  }

  @Test
  void aKeyHasAtMostItsShareOfRequestsWaitingAtOnce() throws Exception {
    String session = sessionWithARunningTurn(ADA);
    String turn = send(ADA, session);
    List<CompletableFuture<Response>> two = List.of(waiting(ADA, turn, 3), waiting(ADA, turn, 3));
    Thread.sleep(500);

    assertTooMany("too_many_waiters", node.api.get(ADA, turn + "?waitSeconds=3"));
    assertTooMany(
        "too_many_waiters",
        node.api.post(ADA, session + "/messages?waitSeconds=3", "{\"content\": \"more\"}"));
    assertEquals(
        0,
        node.api.get(ADA, session).json().get("queuedMessages").asInt(),
        "the refused message was not accepted");
    assertEquals(200, node.api.get(ADA, turn).status(), "a read that does not wait is served");
    assertEquals(200, node.api.get(OLGA, turn + "?waitSeconds=1").status(), "another key waits");

    for (CompletableFuture<Response> w : two) {
      Response r = w.join();
      assertEquals(200, r.status(), r.toString());
      assertEquals("running", r.json().get("status").asText());
    }
    assertEquals(200, node.api.get(ADA, turn + "?waitSeconds=1").status(), "the slots are back");
  }

  @Test
  void aSessionHasAtMostMaxWaitersAtOnce() throws Exception {
    String session = sessionWithARunningTurn(ADA);
    String turn = send(ADA, session);
    List<CompletableFuture<Response>> three =
        List.of(waiting(ADA, turn, 3), waiting(ADA, turn, 3), waiting(OLGA, turn, 3));
    Thread.sleep(500);

    assertTooMany("too_many_waiters", node.api.get(OLGA, turn + "?waitSeconds=3"));
    Response message =
        node.api.post(OLGA, session + "/messages?waitSeconds=3", "{\"content\": \"more\"}");
    assertEquals(202, message.status(), "a message is accepted, answered without waiting");
    assertEquals("queued", message.json().get("status").asText());
    for (CompletableFuture<Response> w : three) {
      assertEquals(200, w.join().status());
    }
  }

  @Test
  void aWaiterIsForgottenOnceItsWaitIsOver() {
    String turn = send(ADA, sessionWithARunningTurn(ADA));
    for (int i = 0; i < 5; i++) {
      Response r = node.api.get(ADA, turn + "?waitSeconds=1");
      assertEquals(200, r.status(), "wait " + i + ": " + r);
      assertEquals("running", r.json().get("status").asText());
    }
  }

  @Test
  void aKeyHasAtMostItsShareOfEventStreamsOpen() throws Exception {
    String session = sessionWithARunningTurn(ADA);
    try (SseClient first = SseClient.open(node.api, ADA, session + "/events")) {
      assertEquals(200, first.status());
      first.next(java.time.Duration.ofSeconds(5));
      try (SseClient second = SseClient.open(node.api, ADA, session + "/events")) {
        assertEquals(429, second.status());
        assertEquals("too_many_streams", second.errorBody().at("/error/code").asText());
      }
      try (SseClient olga = SseClient.open(node.api, OLGA, session + "/events")) {
        assertEquals(200, olga.status(), "another key streams");
      }
    }
    ApiKeysTest.eventually(
        () -> {
          try (SseClient again = SseClient.open(node.api, ADA, session + "/events")) {
            return again.status() == 200;
          }
        });
  }

  /**
   * A streamed Agents-API create needs a stream: with none left for the key it is a 429 (which the
   * SDKs retry), so it must be refused before the session is made, or each retry leaves one behind.
   */
  @Test
  void aStreamedCreateWithNoStreamLeftMakesNoSession() throws Exception {
    String session = sessionWithARunningTurn(GUS);
    try (SseClient held = SseClient.open(node.api, GUS, session + "/events")) {
      assertEquals(200, held.status());
      held.next(java.time.Duration.ofSeconds(5));
      int before = agentsSessions(GUS);

      Response created =
          node.api.post(
              GUS,
              "/v1/agents/sessions",
              "{\"agent\": {\"model\": \"default\"}, \"environment\": {\"type\": \"none\"},"
                  + " \"stream\": true}");

      assertEquals(429, created.status(), created.toString());
      assertEquals("too_many_streams", created.json().at("/error/code").asText());
      assertEquals(before, agentsSessions(GUS), "no session was made");
    }
  }

  private static int agentsSessions(String key) {
    Response listed = node.api.get(key, "/v1/agents/sessions?limit=100");
    assertEquals(200, listed.status(), listed.toString());
    return listed.json().get("data").size();
  }

  /**
   * A client that opens a stream per turn and closes it (as the OpenAI SDKs' stream helpers do)
   * never meets the slots of the streams it closed: the server cannot see a closed stream until a
   * write to it fails, so a new stream of a full key makes the key's streams write first.
   */
  @Test
  void aStreamItsClientClosedGivesItsSlotToTheNextOneAtOnce() throws Exception {
    String session = sessionWithARunningTurn(BOB);
    for (int i = 0; i < 8; i++) {
      try (SseClient sse = SseClient.open(node.api, BOB, session + "/events")) {
        int n = i;
        assertEquals(200, sse.status(), () -> "stream " + n + ": " + sse.errorBody());
        sse.next(java.time.Duration.ofSeconds(5));
      }
    }
  }

  @Test
  void aKeyRemovedFromTheKeysFileEndsItsStreams() throws Exception {
    String session = sessionWithARunningTurn(GINA);
    try (SseClient sse = SseClient.open(node.api, GINA, session + "/events", Map.of())) {
      assertEquals(200, sse.status());
      sse.next(java.time.Duration.ofSeconds(5));
      TestKeys.write(
          node.keysFile, TestKeys.ALL.stream().filter(k -> !k.key().equals(GINA)).toList());

      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!sse.ended() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(sse.ended(), "the stream of a revoked key ended within 5 s");
      assertEquals(401, node.api.get(GINA, session).status());
    } finally {
      TestKeys.write(node.keysFile, TestKeys.ALL);
    }
  }
}
