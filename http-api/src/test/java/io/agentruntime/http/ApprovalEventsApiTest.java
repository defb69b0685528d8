package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.BOB;
import static io.agentruntime.http.TestKeys.GINA;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/approvals/events} over HTTP: a page following it sees an approval asked in any of
 * its sessions and its decision made elsewhere; another tenant, or another user, sees neither.
 */
class ApprovalEventsApiTest {

  private final Api api = TestNode.shared().api;

  @Test
  void aFollowerSeesAnApprovalAskedAndDecidedElsewhereAndOthersSeeNothingOfIt() throws Exception {
    try (SseClient ada = SseClient.open(api, ADA, "/v1/approvals/events");
        SseClient olga = SseClient.open(api, OLGA, "/v1/approvals/events");
        SseClient bob = SseClient.open(api, BOB, "/v1/approvals/events");
        SseClient gina = SseClient.open(api, GINA, "/v1/approvals/events")) {
      assertEquals(200, ada.status());
      Thread.sleep(500); // the subscriptions reach the tenant's topic

      String session = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
      String id = session.substring("/v1/sessions/".length());
      SseClient.Event asked = ofSession(ada, id, "approval_requested");
      JsonNode row = asked.json();
      assertEquals("echo", row.get("tool").asText());
      assertEquals(
          session + "/approvals/" + row.get("id").asText(), row.get("decisionUrl").asText());
      assertEquals("approval_requested", ofSession(olga, id, "approval_requested").type());

      assertEquals(
          200, api.post(ADA, row.get("decisionUrl").asText(), "{\"decision\": \"deny\"}").status());
      JsonNode decided = ofSession(ada, id, "approval_decided").json();
      assertEquals(row.get("id"), decided.get("id"));
      assertEquals("deny", decided.get("decision").asText());
      assertEquals("ada", decided.get("by").asText());
      assertEquals("approval_decided", ofSession(olga, id, "approval_decided").type());

      assertTrue(none(bob, id), "another user of the tenant sees nothing of ada's session");
      assertTrue(none(gina, id), "another tenant sees nothing");
    }
  }

  /** The next event of {@code type} about session {@code id}; fails after 10 s without. */
  private static SseClient.Event ofSession(SseClient sse, String id, String type) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      SseClient.Event e = sse.next(Duration.ofMillis(500));
      if (e != null && e.type().equals(type) && id.equals(e.json().path("sessionId").asText())) {
        return e;
      }
    }
    throw new AssertionError("no " + type + " of " + id + " within 10 s");
  }

  private static boolean none(SseClient sse, String id) {
    List<SseClient.Event> seen = new ArrayList<>();
    SseClient.Event e;
    while ((e = sse.next(Duration.ofMillis(700))) != null) {
      seen.add(e);
    }
    return seen.stream().noneMatch(x -> x.data() != null && x.data().contains(id));
  }
}
