package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.BOB;
import static io.agentruntime.http.TestKeys.GUS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code /v1/sessions/{id}/schedules} on a real node whose sessions passivate after a second: set,
 * listed, removed, refused with the field named, and a schedule that fires starts exactly one turn
 * marked {@code source: schedule}, also in a session that had passivated.
 */
class SchedulesApiTest {

  private static TestNode node;
  private static Api api;

  @BeforeAll
  static void start() {
    node = TestNode.passivatingAfterASecond("agent-runtime.schedules.max-per-session = 3");
    api = node.api;
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String newSession() {
    String id = TestNode.newId("sched");
    assertEquals(
        201,
        api.post(
                ADA,
                "/v1/sessions",
                "{\"id\": \"" + id + "\", \"agent\": {\"model\": \"scripted\"}}")
            .status());
    return "/v1/sessions/" + id;
  }

  @Test
  void aScheduleIsSetListedAndRemoved() {
    String session = newSession();
    Instant before = Instant.now();
    Api.Response made =
        api.post(ADA, session + "/schedules", "{\"message\": \"follow up\", \"in\": \"PT10M\"}");
    assertEquals(201, made.status(), made.toString());
    JsonNode schedule = made.json();
    String id = schedule.get("id").asText();
    Instant next = Instant.parse(schedule.get("nextRunAt").asText());
    assertTrue(
        !next.isBefore(before.plusSeconds(600)) && next.isBefore(Instant.now().plusSeconds(601)),
        "nextRunAt " + next);
    assertEquals("once", schedule.get("kind").asText());

    Api.Response cron =
        api.post(
            ADA,
            session + "/schedules",
            "{\"message\": \"report\", \"cron\": \"0 9 * * MON-FRI\", \"timezone\":"
                + " \"Europe/Paris\", \"missed\": \"skip\"}");
    assertEquals(201, cron.status(), cron.toString());
    assertEquals("skip", cron.json().get("missed").asText());
    assertEquals("Europe/Paris", cron.json().get("timezone").asText());

    assertEquals(List.of(id, cron.json().get("id").asText()), ids(session));
    // Another user of the tenant, and another tenant, find no session there.
    assertEquals(404, api.get(BOB, session + "/schedules").status());
    assertEquals(404, api.get(GUS, session + "/schedules").status());
    assertEquals(404, api.delete(BOB, session + "/schedules/" + id).status());

    Api.Response removed = api.delete(ADA, session + "/schedules/" + id);
    assertEquals(200, removed.status(), removed.toString());
    assertTrue(removed.json().get("deleted").asBoolean());
    Api.Response again = api.delete(ADA, session + "/schedules/" + id);
    assertEquals(404, again.status());
    assertEquals("schedule_not_found", again.json().get("error").get("code").asText());
    assertEquals(List.of(cron.json().get("id").asText()), ids(session));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"in\": \"PT1M\"}                                         | message",
        "{\"message\": \"\", \"in\": \"PT1M\"}                      | message",
        "{\"message\": \"hi\"}                                      | at",
        "{\"message\": \"hi\", \"at\": \"2020-01-01T00:00:00Z\"}     | at",
        "{\"message\": \"hi\", \"at\": \"next tuesday\"}            | at",
        "{\"message\": \"hi\", \"in\": \"ten minutes\"}             | in",
        "{\"message\": \"hi\", \"in\": \"PT1M\", \"cron\": \"* * * * *\"} | cron",
        "{\"message\": \"hi\", \"cron\": \"*/30 * * * * *\"}        | cron",
        "{\"message\": \"hi\", \"cron\": \"0 9 * * MON\", \"timezone\": \"Paris\"} | timezone",
        "{\"message\": \"hi\", \"in\": \"PT1M\", \"missed\": \"twice\"} | missed",
        "{\"message\": 7, \"in\": \"PT1M\"}                          | message",
      })
  void badInputIsRefusedNamingTheFieldAndSetsNothing(String body, String param) {
    String session = newSession();
    Api.Response r = api.post(ADA, session + "/schedules", body);
    assertEquals(400, r.status(), r.toString());
    assertEquals(param, r.json().get("error").get("param").asText(), r.toString());
    assertEquals(List.of(), ids(session));
  }

  @Test
  void aSessionHoldsAtMostTheSettingsNumberOfSchedules() {
    String session = newSession();
    for (int i = 0; i < 3; i++) {
      assertEquals(
          201,
          api.post(ADA, session + "/schedules", "{\"message\": \"m\", \"in\": \"PT1H\"}").status());
    }
    Api.Response fourth =
        api.post(ADA, session + "/schedules", "{\"message\": \"m\", \"in\": \"PT1H\"}");
    assertEquals(400, fourth.status());
    assertEquals("too_many_schedules", fourth.json().get("error").get("code").asText());
    assertEquals(3, ids(session).size());
  }

  @Test
  void anUnknownSessionHasNoSchedules() {
    String unknown = "/v1/sessions/" + TestNode.newId("nobody");
    assertEquals(404, api.get(ADA, unknown + "/schedules").status());
    assertEquals(
        404,
        api.post(ADA, unknown + "/schedules", "{\"message\": \"m\", \"in\": \"PT1M\"}").status());
  }

  @Test
  void aDueScheduleWakesThePassivatedSessionAndStartsOneTurnMarkedSchedule() throws Exception {
    String session = newSession();
    // The session passivates after a second idle: its marker is event 2.
    awaitLastSeq(session, 2);
    Api.Response made =
        api.post(ADA, session + "/schedules", "{\"message\": \"wake up\", \"in\": \"PT2S\"}");
    assertEquals(201, made.status(), made.toString());
    Instant due = Instant.parse(made.json().get("nextRunAt").asText());

    List<JsonNode> turns = awaitTurns(session, 1);
    JsonNode turn = turns.get(0);
    assertTrue(turn.get("turnId").asText().startsWith("turn_" + made.json().get("id").asText()));
    // Fired within 2 s of its time, and its turn ran to the end.
    Instant started = Instant.parse(turn.get("acceptedAt").asText());
    assertTrue(
        Duration.between(due, started).compareTo(Duration.ofSeconds(2)) < 0,
        "due " + due + ", turn at " + started);
    awaitStatus(session, turn.get("turnId").asText(), "completed");

    // Once: nothing more comes, and the one-shot schedule is gone.
    Thread.sleep(2500);
    assertEquals(1, api.get(ADA, session + "/turns").json().get("turns").size());
    assertEquals(List.of(), ids(session));
    long last = api.get(ADA, session).json().get("lastSeq").asLong();
    List<JsonNode> messages = new ArrayList<>();
    try (SseClient sse = SseClient.open(api, ADA, session + "/events")) {
      for (SseClient.Event e : sse.journaledUpTo(last)) {
        if (e.type().equals("user_message")) {
          messages.add(e.json());
        }
      }
    }
    assertEquals(1, messages.size(), messages.toString());
    assertEquals("schedule", messages.get(0).get("source").asText());
    assertEquals("wake up", messages.get(0).get("content").asText());
  }

  private static String sessionWithPolicy(String permission) {
    String id = TestNode.newId("wake");
    Api.Response created =
        api.post(
            ADA,
            "/v1/sessions",
            "{\"id\": \""
                + id
                + "\", \"agent\": {\"model\": \"scripted\"}, \"permissions\": {\"tools\":"
                + " {\"schedule_wakeup\": \""
                + permission
                + "\"}}}");
    assertEquals(201, created.status(), created.toString());
    return "/v1/sessions/" + id;
  }

  @Test
  void theModelSetsAWakeUpWithTheToolAndItComesBackAsAScheduledTurn() throws Exception {
    String session = sessionWithPolicy("allow");
    Api.Response turn =
        api.post(
            ADA,
            session + "/messages?waitSeconds=10",
            "{\"content\": \"/tool schedule_wakeup {\\\"message\\\": \\\"ping\\\","
                + " \\\"in\\\": \\\"PT2S\\\"}\"}");
    assertEquals("completed", turn.json().get("status").asText(), turn.toString());
    List<String> set = ids(session);
    assertEquals(1, set.size(), "the tool set one schedule");

    List<JsonNode> turns = awaitTurns(session, 2);
    String woken = turns.get(0).get("turnId").asText(); // newest first
    assertTrue(woken.startsWith("turn_" + set.get(0)), woken);
    awaitStatus(session, woken, "completed");
    assertEquals(List.of(), ids(session));
  }

  @Test
  void aBadWakeUpFailsTheCallAndSetsNothing() throws Exception {
    String session = sessionWithPolicy("allow");
    Api.Response turn =
        api.post(
            ADA,
            session + "/messages?waitSeconds=10",
            "{\"content\": \"/tool schedule_wakeup {\\\"message\\\": \\\"ping\\\","
                + " \\\"in\\\": \\\"soon\\\"}\"}");
    assertEquals("completed", turn.json().get("status").asText(), turn.toString());
    assertEquals(List.of(), ids(session));
  }

  @Test
  void aPolicyThatDeniesTheToolKeepsTheModelFromSettingAWakeUp() throws Exception {
    String session = sessionWithPolicy("deny");
    api.post(
        ADA,
        session + "/messages?waitSeconds=10",
        "{\"content\": \"/tool schedule_wakeup {\\\"message\\\": \\\"ping\\\","
            + " \\\"in\\\": \\\"PT1S\\\"}\"}");
    assertEquals(List.of(), ids(session));
  }

  @Test
  void withTheDefaultPolicyTheWakeUpWaitsForApproval() throws Exception {
    String session = newSession();
    Api.Response turn =
        api.post(
            ADA,
            session + "/messages?waitSeconds=10",
            "{\"content\": \"/tool schedule_wakeup {\\\"message\\\": \\\"ping\\\","
                + " \\\"in\\\": \\\"PT1H\\\"}\"}");
    assertEquals("awaiting_approval", turn.json().get("status").asText(), turn.toString());
    assertEquals(List.of(), ids(session));
  }

  private static List<String> ids(String session) {
    Api.Response r = api.get(ADA, session + "/schedules");
    assertEquals(200, r.status(), r.toString());
    List<String> ids = new ArrayList<>();
    r.json().get("data").forEach(s -> ids.add(s.get("id").asText()));
    return ids;
  }

  private static void awaitLastSeq(String session, long seq) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (api.get(ADA, session).json().get("lastSeq").asLong() < seq) {
      assertTrue(System.nanoTime() < until, "lastSeq never reached " + seq);
      Thread.sleep(100);
    }
  }

  private static List<JsonNode> awaitTurns(String session, int n) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      List<JsonNode> turns = new ArrayList<>();
      api.get(ADA, session + "/turns").json().get("turns").forEach(turns::add);
      if (turns.size() >= n) {
        return turns;
      }
      assertTrue(System.nanoTime() < until, "no turn came");
      Thread.sleep(50);
    }
  }

  private static void awaitStatus(String session, String turnId, String status)
      throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!api.get(ADA, session + "/turns/" + turnId)
        .json()
        .get("status")
        .asText()
        .equals(status)) {
      assertTrue(System.nanoTime() < until, "turn never " + status);
      Thread.sleep(100);
    }
  }
}
