package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.function.DoublePredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The path of a firing (decision 0048) on a node of its own. A passivated session is woken before
 * its schedule's run, not by it, seen where an operator sees it: the node's {@code
 * agent_active_sessions} gauge (first, so that no other session moves it). Sessions passivate after
 * a second idle; wake-ahead 4 s, so the session of a run due in 9 s comes back between 4 and 2 s
 * before it, and stays until 4 s after. The node lets 2 firings be on their way at once: more due
 * at one instant wait their turn, and each still fires exactly once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScheduleFiringPathTest {

  private static TestNode node;
  private static Api api;

  @BeforeAll
  static void start() {
    node =
        TestNode.passivatingAfterASecond(
            "agent-runtime.schedules.wake-ahead = 4s\n"
                + "agent-runtime.schedules.max-firings-in-flight = 2");
    api = node.api;
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static double activeSessions() {
    return api.get(null, "/metrics")
        .text()
        .lines()
        .filter(l -> l.startsWith("agent_active_sessions "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(0);
  }

  /** Waits until the gauge satisfies {@code condition}; returns when, or fails after 15 s. */
  private static Instant awaitActive(DoublePredicate condition, String what)
      throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.test(activeSessions())) {
      assertTrue(System.nanoTime() < until, what);
      Thread.sleep(20);
    }
    return Instant.now();
  }

  @Test
  @Order(1)
  void aPassivatedSessionIsWokenBeforeItsRunAndTheRunFindsItAwake() throws Exception {
    String id = TestNode.newId("wake");
    String session = "/v1/sessions/" + id;
    assertEquals(
        201,
        api.post(
                ADA,
                "/v1/sessions",
                "{\"id\": \"" + id + "\", \"agent\": {\"model\": \"scripted\"}}")
            .status());
    Api.Response made =
        api.post(ADA, session + "/schedules", "{\"message\": \"wake up\", \"in\": \"PT9S\"}");
    assertEquals(201, made.status(), made.toString());
    Instant due = Instant.parse(made.json().get("nextRunAt").asText());
    // Setting the schedule read the session; a second idle later it is gone from memory.
    awaitActive(n -> n == 0, "the session never passivated");
    assertTrue(Instant.now().isBefore(due.minusSeconds(4)), "the test was too slow to tell");

    Instant woken = awaitActive(n -> n == 1, "the session was never woken");
    assertTrue(
        woken.isBefore(due.minusMillis(1500)),
        "woken at " + woken + ", its run due at " + due + ": not ahead of it");

    JsonNode turn = null;
    long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (turn == null) {
      JsonNode turns = api.get(ADA, session + "/turns").json().get("turns");
      turn = turns.size() > 0 ? turns.get(0) : null;
      assertTrue(turn != null || System.nanoTime() < until, "the run never came");
      Thread.sleep(50);
    }
    assertTrue(turn.get("turnId").asText().startsWith("turn_" + made.json().get("id").asText()));
    Instant taken = Instant.parse(turn.get("acceptedAt").asText());
    assertTrue(
        Duration.between(due, taken).compareTo(Duration.ofSeconds(1)) < 0,
        "due " + due + ", taken " + taken);

    // Held until the wake-ahead after its run, then it passivates as any idle session.
    Instant gone = awaitActive(n -> n == 0, "the session stayed in memory");
    assertTrue(gone.isAfter(due.plusSeconds(4)), "passivated at " + gone + ", due " + due);
  }

  @Test
  @Order(2)
  void moreRunsDueAtOneInstantThanTheNodeLetsGoAtOnceEachFireOnce() throws Exception {
    Instant due = Instant.now().plusSeconds(3).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    java.util.Map<String, String> scheduleBySession = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 8; i++) {
      String id = TestNode.newId("burst");
      String session = "/v1/sessions/" + id;
      assertEquals(
          201,
          api.post(
                  ADA,
                  "/v1/sessions",
                  "{\"id\": \"" + id + "\", \"agent\": {\"model\": \"scripted\"}}")
              .status());
      Api.Response made =
          api.post(
              ADA, session + "/schedules", "{\"message\": \"wake up\", \"at\": \"" + due + "\"}");
      assertEquals(201, made.status(), made.toString());
      scheduleBySession.put(session, made.json().get("id").asText());
    }
    assertTrue(Instant.now().isBefore(due), "the test was too slow to set them before their time");

    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    for (var e : scheduleBySession.entrySet()) {
      String firing = "turn_" + e.getValue() + "_" + due.toEpochMilli();
      JsonNode turns = api.get(ADA, e.getKey() + "/turns").json().get("turns");
      while (turns.size() == 0) {
        assertTrue(System.nanoTime() < until, "the run of " + e.getKey() + " never came");
        Thread.sleep(50);
        turns = api.get(ADA, e.getKey() + "/turns").json().get("turns");
      }
      assertEquals(firing, turns.get(0).get("turnId").asText());
    }
    Thread.sleep(1500); // a firing sent twice would show by now
    for (String session : scheduleBySession.keySet()) {
      assertEquals(1, api.get(ADA, session + "/turns").json().get("turns").size(), session);
    }
  }
}
