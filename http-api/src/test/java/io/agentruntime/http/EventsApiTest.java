package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.BOB;
import static io.agentruntime.http.TestKeys.GUS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.SseClient.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/sessions/{id}/events}: the journal as Server-Sent Events, replayed, then live. */
class EventsApiTest {

  private final TestNode node = TestNode.shared();
  private final Api api = node.api;
  private String session;

  @BeforeEach
  void aSessionWithOneTurn() {
    String id = TestNode.newId("sse");
    session = "/v1/sessions/" + id;
    assertEquals(
        201,
        api.post(
                ADA,
                "/v1/sessions",
                "{\"id\": \"" + id + "\", \"agent\": {\"model\": \"scripted\"}}")
            .status());
    assertEquals(
        "completed",
        api.post(ADA, session + "/messages?waitSeconds=10", "{\"content\": \"hello\"}")
            .json()
            .get("status")
            .asText());
  }

  @Test
  void theJournalIsReplayedInOrderWithIdsAndTypes() {
    long lastSeq = lastSeq();
    try (SseClient sse = SseClient.open(api, ADA, session + "/events")) {
      assertEquals(200, sse.status());
      assertTrue(
          sse.header("Content-Type").startsWith("text/event-stream"), sse.header("Content-Type"));
      assertEquals("no-cache", sse.header("Cache-Control"));
      List<Event> events = sse.journaledUpTo(lastSeq);
      assertEquals(ids(1, lastSeq), seqs(events));
      assertEquals(
          List.of(
              "session_created",
              "user_message",
              "turn_started",
              "assistant_message",
              "turn_completed"),
          events.stream().map(Event::type).toList());

      JsonNode created = events.get(0).json();
      assertEquals("ada", created.at("/owner/user").asText());
      assertEquals("scripted", created.at("/agent/model").asText());
      JsonNode message = events.get(1).json();
      assertEquals("hello", message.get("content").asText());
      assertEquals("ada", message.get("by").asText());
      String turnId = message.get("turnId").asText();
      assertTrue(message.has("at"));
      assertFalse(message.has("idempotencyKey"));
      assertEquals("echo: hello", events.get(3).json().get("content").asText());
      assertEquals(turnId, events.get(4).json().get("turnId").asText());
      assertEquals("echo: hello", events.get(4).json().get("output").asText());
    }
  }

  @Test
  void liveEventsFollowTheReplayAndModelTextStreamsAsDeltasWithoutIds() {
    long lastSeq = lastSeq();
    try (SseClient sse = SseClient.open(api, ADA, session + "/events")) {
      sse.journaledUpTo(lastSeq);
      String turnId =
          api.post(ADA, session + "/messages", "{\"content\": \"tell me about the weather today\"}")
              .json()
              .get("turnId")
              .asText();

      List<Event> live = sse.until(e -> "turn_completed".equals(e.type()));
      List<Event> journaled = live.stream().filter(e -> e.id() != null).toList();
      assertEquals(ids(lastSeq + 1, lastSeq + 4), seqs(journaled));
      assertEquals(
          List.of("user_message", "turn_started", "assistant_message", "turn_completed"),
          journaled.stream().map(Event::type).toList());

      List<Event> deltas = live.stream().filter(e -> "delta".equals(e.type())).toList();
      assertTrue(deltas.size() > 1, "the scripted model streams a few words at a time: " + live);
      deltas.forEach(d -> assertNull(d.id(), "a delta has no id"));
      deltas.forEach(d -> assertEquals(turnId, d.json().get("turnId").asText()));
      assertEquals(
          "echo: tell me about the weather today",
          deltas.stream().map(d -> d.json().get("text").asText()).collect(Collectors.joining()));
      assertTrue(
          live.indexOf(deltas.get(deltas.size() - 1)) < live.indexOf(journaled.get(2)),
          "the text streams before the reply is journaled");
    }
  }

  @Test
  void reconnectingWithLastEventIdGetsExactlyTheEventsAfterItThenLiveOnes() {
    long lastSeq = lastSeq();
    try (SseClient sse =
        SseClient.open(api, ADA, session + "/events", Map.of("Last-Event-ID", "2"))) {
      assertEquals(ids(3, lastSeq), seqs(sse.journaledUpTo(lastSeq)));
      api.post(ADA, session + "/messages", "{\"content\": \"more\"}");
      assertEquals(ids(lastSeq + 1, lastSeq + 4), seqs(sse.journaledUpTo(lastSeq + 4)));
      assertEquals(
          List.of(), journaledWithin(sse, Duration.ofMillis(1500)), "nothing after the turn ended");
    }
    try (SseClient sse = SseClient.open(api, ADA, session + "/events?after=" + lastSeq)) {
      assertEquals(ids(lastSeq + 1, lastSeq + 4), seqs(sse.journaledUpTo(lastSeq + 4)));
    }
  }

  @Test
  void lastEventIdWinsOverAfter() {
    long lastSeq = lastSeq();
    try (SseClient sse =
        SseClient.open(api, ADA, session + "/events?after=1", Map.of("Last-Event-ID", "3"))) {
      assertEquals(ids(4, lastSeq), seqs(sse.journaledUpTo(lastSeq)));
    }
  }

  @Test
  void eachEventArrivesOnceAndInOrderWhileTheSessionIsBusy() throws Exception {
    // The stream starts while turns run, so replay and live events race: none may be lost or
    // doubled.
    CompletableFuture<Void> writes =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 0; i < 5; i++) {
                api.post(ADA, session + "/messages", "{\"content\": \"message " + i + "\"}");
              }
            });
    try (SseClient sse = SseClient.open(api, ADA, session + "/events")) {
      writes.get();
      long expected = awaitIdle();
      List<Event> events = sse.journaledUpTo(expected);
      assertEquals(ids(1, expected), seqs(events));
      assertEquals(
          List.of(), journaledWithin(sse, Duration.ofMillis(2500)), "nothing twice, nothing more");
    }
  }

  @Test
  void approvalsAndToolCallsStreamWithTheirData() {
    String waiting = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
    long lastSeq = api.get(ADA, waiting).json().get("lastSeq").asLong();
    try (SseClient sse = SseClient.open(api, ADA, waiting + "/events")) {
      JsonNode requested = sse.journaledUpTo(lastSeq).get((int) lastSeq - 1).json();
      assertEquals("echo", requested.get("tool").asText());
      assertEquals("bob", requested.at("/arguments/to").asText());
      String approvalId = requested.get("approvalId").asText();
      assertTrue(
          requested.has("expiresAt") && requested.has("toolCallId") && requested.has("turnId"),
          requested.toString());

      api.post(
          ADA,
          waiting + "/approvals/" + approvalId,
          "{\"decision\": \"approve\", \"comment\": \"go\"}");
      List<Event> after =
          sse.until(e -> "turn_completed".equals(e.type())).stream()
              .filter(e -> e.id() != null)
              .toList();
      assertEquals(
          List.of(
              "approval_granted",
              "tool_call_started",
              "tool_call_succeeded",
              "assistant_message",
              "turn_completed"),
          after.stream().map(Event::type).toList());
      JsonNode granted = after.get(0).json();
      assertEquals(approvalId, granted.get("approvalId").asText());
      assertEquals("ada", granted.get("by").asText());
      assertEquals("go", granted.get("comment").asText());
      JsonNode started = after.get(1).json();
      assertEquals(requested.get("toolCallId"), started.get("toolCallId"));
      assertEquals("echo", started.get("tool").asText());
      assertEquals("bob", started.at("/arguments/to").asText());
      assertFalse(
          started.has("idempotencyKey"), "the call's idempotency key is not the clients' business");
      assertEquals("bob", after.get(2).json().at("/result/echoed/to").asText());
    }
  }

  @Test
  void anIdleStreamGetsHeartbeats() throws Exception {
    try (SseClient sse = SseClient.open(api, ADA, session + "/events?after=" + lastSeq())) {
      Thread.sleep(2500);
      assertTrue(sse.heartbeats() >= 1, "keep-alive is 1 s in the tests");
      assertFalse(sse.ended());
    }
  }

  @Test
  void aStreamOutlivesTheRequestTimeout() throws Exception {
    HttpServer shortTimeouts =
        node.serve(
            "agent-runtime.http.request-timeout = 1s\nagent-runtime.http.idle-timeout = 3s",
            node.keysFile);
    try (SseClient sse =
        SseClient.open(
            new Api(shortTimeouts.address()), ADA, session + "/events?after=" + lastSeq())) {
      assertEquals(200, sse.status());
      Thread.sleep(3500);
      assertFalse(
          sse.ended(),
          "neither the request timeout nor the idle timeout cut a stream with heartbeats");
      api.post(ADA, session + "/messages", "{\"content\": \"still there?\"}");
      assertEquals("user_message", sse.until(e -> e.id() != null).get(0).type());
    } finally {
      shortTimeouts.stop().toCompletableFuture().get();
    }
  }

  @Test
  void invalidPositionsAre400BeforeAnythingStreams() {
    for (String bad : List.of("-1", "abc", "1.5", "")) {
      try (SseClient sse = SseClient.open(api, ADA, session + "/events?after=" + bad)) {
        assertEquals(400, sse.status(), bad);
        assertEquals("invalid_field", sse.errorBody().at("/error/code").asText());
        assertTrue(
            sse.errorBody().at("/error/message").asText().startsWith("after "),
            sse.errorBody().toString());
      }
    }
    try (SseClient sse =
        SseClient.open(api, ADA, session + "/events", Map.of("Last-Event-ID", "-3"))) {
      assertEquals(400, sse.status());
      assertTrue(
          sse.errorBody().at("/error/message").asText().startsWith("Last-Event-ID "),
          sse.errorBody().toString());
    }
  }

  @Test
  void aSessionTheCallerMayNotSeeIs404WithTheErrorBody() {
    for (String key : List.of(GUS, BOB)) {
      try (SseClient sse = SseClient.open(api, key, session + "/events")) {
        assertEquals(404, sse.status());
        assertTrue(sse.header("Content-Type").startsWith("application/json"));
        assertEquals("session_not_found", sse.errorBody().at("/error/code").asText());
        assertEquals(sse.header("X-Request-Id"), sse.errorBody().at("/error/requestId").asText());
      }
    }
  }

  /** The journaled events that arrive within {@code time} (deltas left out). */
  private static List<Event> journaledWithin(SseClient sse, Duration time) {
    List<Event> seen = new ArrayList<>();
    long deadline = System.nanoTime() + time.toNanos();
    for (long left = time.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      Event e = sse.next(Duration.ofNanos(left));
      if (e != null && e.id() != null) {
        seen.add(e);
      }
    }
    return seen;
  }

  private long lastSeq() {
    return api.get(ADA, session).json().get("lastSeq").asLong();
  }

  /** Waits until no turn is left to run; answers the session's last event id then. */
  private long awaitIdle() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode s = api.get(ADA, session).json();
      if ("idle".equals(s.get("status").asText()) && s.get("queuedMessages").asInt() == 0) {
        return s.get("lastSeq").asLong();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the session did not become idle");
  }

  private static List<Long> ids(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private static List<Long> seqs(List<Event> events) {
    List<Long> seqs = new ArrayList<>();
    events.forEach(e -> seqs.add(e.seq()));
    return seqs;
  }
}
