package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.SseClient.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a client sees of a session that went idle and passivated, on a node of its own whose
 * sessions passivate after a second: it journaled its passivation marker (decision 0051), and
 * nothing else changed.
 */
class PassivationApiTest {

  private static TestNode node;
  private static Api api;

  @BeforeAll
  static void start() {
    node = TestNode.passivatingAfterASecond("");
    api = node.api;
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void anIdleSessionJournalsItsPassivationMarkerAndChangesNothingElse() throws Exception {
    String id = TestNode.newId("idle");
    String session = "/v1/sessions/" + id;
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
    JsonNode before = api.get(ADA, session).json();
    assertEquals(5, before.get("lastSeq").asLong());

    JsonNode after = awaitLastSeq(session, 6);
    // Read again after it passivated: recovered from the snapshot at 6, it journals no second
    // marker.
    Thread.sleep(2500);
    assertEquals(after, api.get(ADA, session).json());
    ((ObjectNode) after).put("lastSeq", 5);
    assertEquals(before, after, "all but lastSeq as before, updatedAt too");

    try (SseClient sse = SseClient.open(api, ADA, session + "/events")) {
      List<Event> events = sse.journaledUpTo(6);
      assertEquals(
          LongStream.rangeClosed(1, 6).mapToObj(Long::toString).toList(),
          events.stream().map(Event::id).toList());
      assertEquals(
          List.of(
              "session_created",
              "user_message",
              "turn_started",
              "assistant_message",
              "turn_completed",
              "session_passivating"),
          events.stream().map(Event::type).toList());
      List<String> fields = new ArrayList<>();
      events.get(5).json().fieldNames().forEachRemaining(fields::add);
      assertEquals(List.of("at"), fields, "the marker carries nothing but its time");
    }
    assertEquals(1, api.get(ADA, session + "/turns").json().get("turns").size());
    assertEquals(2, api.get(ADA, session + "/messages").json().get("messages").size());
  }

  private static JsonNode awaitLastSeq(String session, long seq) throws InterruptedException {
    Instant until = Instant.now().plus(Duration.ofSeconds(15));
    JsonNode view = api.get(ADA, session).json();
    while (view.get("lastSeq").asLong() != seq && Instant.now().isBefore(until)) {
      Thread.sleep(200);
      view = api.get(ADA, session).json();
    }
    assertEquals(seq, view.get("lastSeq").asLong(), view::toString);
    return view;
  }
}
