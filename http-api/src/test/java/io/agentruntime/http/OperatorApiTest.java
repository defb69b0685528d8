package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.GUS;
import static io.agentruntime.http.TestKeys.OLGA;
import static io.agentruntime.http.TestKeys.OTTO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.session.SessionEntity;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.Test;

/**
 * An operator's controls over HTTP ({@code POST /v1/sessions/{id}/suspend|resume|terminate|erase})
 * and the listing by status, which follows every change of a session's status.
 */
class OperatorApiTest {

  private static final List<String> CONTROLS = List.of("suspend", "resume", "terminate", "erase");

  private final TestNode node = TestNode.shared();
  private final Api api = node.api;

  /** A session of Ada's whose turn stays running (the stall model never answers). */
  private String runningSession() {
    String id = TestNode.newId("op");
    assertEquals(
        201,
        api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\", \"agent\": {\"model\": \"stall\"}}")
            .status());
    assertEquals(
        202,
        api.post(ADA, "/v1/sessions/" + id + "/messages", "{\"content\": \"think\"}").status());
    return id;
  }

  private List<String> listed(String status) {
    JsonNode page = api.get(OLGA, "/v1/sessions?limit=200&status=" + status).json();
    return StreamSupport.stream(page.get("sessions").spliterator(), false)
        .map(s -> s.get("id").asText())
        .toList();
  }

  private List<Object> journal(String tenant, String id) {
    String pid =
        PersistenceId.of(SessionEntity.TYPE_KEY.name(), SessionEntity.entityId(tenant, id)).id();
    return PersistenceTestKit.create(node.system).persistedInStorage(pid);
  }

  @Test
  void onlyAnOperatorOfTheTenantMayControlASession() {
    String id = runningSession();
    for (String control : CONTROLS) {
      String path = "/v1/sessions/" + id + "/" + control;
      Response owner = api.post(ADA, path, null);
      assertEquals(403, owner.status(), control + ": " + owner);
      assertEquals("role_missing", owner.errorCode());
      for (String otherTenant : List.of(GUS, OTTO)) {
        Response answer = api.post(otherTenant, path, null);
        assertEquals(404, answer.status(), control + ": " + answer);
        assertEquals("session_not_found", answer.errorCode());
      }
    }
    assertEquals(
        "running",
        api.get(ADA, "/v1/sessions/" + id).json().get("status").asText(),
        "nothing changed");
    assertEquals(
        3, journal("acme", id).size(), "nothing journaled: created, message, turn started");
  }

  @Test
  void aSuspendedSessionRefusesMessagesAndResumesWhereItStood() throws InterruptedException {
    String id = runningSession();
    String session = "/v1/sessions/" + id;
    ApiKeysTest.eventually(
        () -> listed("running").contains(id)); // the listing by status knows the turn runs

    Response suspended = api.post(OLGA, session + "/suspend", "{\"reason\": \"incident 7\"}");
    assertEquals(200, suspended.status(), suspended.toString());
    assertEquals("suspended", suspended.json().get("status").asText());
    ApiKeysTest.eventually(
        () -> listed("suspended").contains(id) && !listed("running").contains(id));

    Response refused = api.post(ADA, session + "/messages", "{\"content\": \"more\"}");
    assertEquals(409, refused.status(), refused.toString());
    assertEquals("session_suspended", refused.errorCode());
    assertEquals(400, api.post(OLGA, session + "/suspend", "{\"reason\": 7}").status());

    Response resumed = api.post(OLGA, session + "/resume", null);
    assertEquals(200, resumed.status(), resumed.toString());
    try (SseClient sse = SseClient.open(api, ADA, session + "/events")) {
      List<SseClient.Event> events = sse.until(e -> "session_resumed".equals(e.type()));
      SseClient.Event suspendedEvent =
          events.stream()
              .filter(e -> "session_suspended".equals(e.type()))
              .findFirst()
              .orElseThrow();
      assertEquals("olga", suspendedEvent.json().get("by").asText());
      assertEquals("incident 7", suspendedEvent.json().get("reason").asText());
      assertEquals("olga", events.get(events.size() - 1).json().get("by").asText());
    }
    assertEquals("running", resumed.json().get("status").asText());
    assertEquals(
        "running", resumed.json().at("/currentTurn/status").asText(), "the same turn goes on");
    ApiKeysTest.eventually(() -> listed("running").contains(id));
    assertEquals(202, api.post(ADA, session + "/messages", "{\"content\": \"more\"}").status());
  }

  @Test
  void terminateCancelsTheTurnAndClosesTheSession() {
    String id = runningSession();
    String session = "/v1/sessions/" + id;
    String turnId = api.get(ADA, session).json().at("/currentTurn/id").asText();

    Response terminated = api.post(OLGA, session + "/terminate", null);

    assertEquals(200, terminated.status(), terminated.toString());
    assertEquals("closed", terminated.json().get("status").asText());
    JsonNode turn = api.get(ADA, session + "/turns/" + turnId).json();
    assertEquals("cancelled", turn.get("status").asText());
    assertTrue(turn.at("/error/message").asText().contains("terminated by olga"), turn.toString());
    assertEquals(409, api.post(ADA, session + "/messages", "{\"content\": \"x\"}").status());
    assertTrue(listed("closed").contains(id));
  }

  @Test
  void anErasedSessionIsGoneAndItsIdRefusedForGood() {
    String id = runningSession();
    String session = "/v1/sessions/" + id;
    assertEquals(200, api.put(ADA, session + "/memory/secret", "\"the launch code\"").status());
    assertTrue(journal("acme", id).size() >= 3);

    Response erased = api.post(OLGA, session + "/erase", null);

    assertEquals(200, erased.status(), erased.toString());
    assertEquals(id, erased.json().get("id").asText());
    assertEquals("erased", erased.json().get("status").asText());
    List<Object> left = journal("acme", id);
    assertEquals(1, left.size(), "only the tombstone is left: " + left);
    assertTrue(!left.get(0).toString().contains("launch code"));
    String pid =
        PersistenceId.of(SessionEntity.TYPE_KEY.name(), SessionEntity.entityId("acme", id)).id();
    assertTrue(SnapshotTestKit.create(node.system).persistedInStorage(pid).isEmpty());

    Response read = api.get(ADA, session);
    assertEquals(404, read.status());
    assertEquals("session_erased", read.errorCode());
    assertTrue(read.errorMessage().contains("cannot be used again"), read.toString());
    Response reused = api.put(ADA, session, "{}");
    assertEquals(409, reused.status(), reused.toString());
    assertEquals("session_erased", reused.errorCode());
    for (String status : List.of("idle", "running", "suspended", "closed")) {
      assertTrue(!listed(status).contains(id), status);
    }
    Response again = api.post(OLGA, session + "/erase", null);
    assertEquals(200, again.status(), "erasing again is answered the same: " + again);
  }
}
