package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.session.LifecycleNotice;
import io.agentruntime.runtime.session.LifecycleNotices;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Over HTTP on a node: a session's changes whose hand-off to the tenant's outbox was lost (the
 * outbox took nothing: its journal refused every write, and the node gave each hand-off up) are
 * delivered, signed, under their ids, once the session recovers, although its state then shows
 * neither the first turn's idle nor its approval (decision 0027, addendum of issue 14).
 */
class WebhookReplayApiTest {

  private static final TestNode node =
      TestNode.start(
          """
          agent-runtime.webhooks.handoff-retries = 0
          agent-runtime.webhooks.ask-timeout = 1s
          """);
  private static final Api api = node.api;
  private static final Duration WAIT = Duration.ofSeconds(20);

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void changesWhoseHandOffWasLostAreDeliveredOnceTheSessionRecovers() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver(() -> 200)) {
      WebhookReceiver.Endpoint hook =
          receiver.register(
              api,
              OLGA,
              "agent.session.idle",
              "approval.requested",
              "approval.decided",
              "turn.completed");

      PersistenceTestKit journal = PersistenceTestKit.create(node.system);
      journal.failNextNOpsCond(
          (pid, op) -> pid.equals("Webhooks|acme") && op instanceof WriteEvents, 100_000);
      String session;
      String first;
      String second;
      JsonNode approval;
      try {
        // Turn 1 asks for an approval, which is decided; turn 2 follows. Nothing is handed over.
        session = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
        approval = api.get(ADA, session + "/approvals").json().get(0);
        first = approval.get("turnId").asText();
        Response decided =
            api.post(
                ADA,
                session + "/approvals/" + approval.get("id").asText(),
                "{\"decision\": \"approve\"}");
        assertEquals(200, decided.status(), decided.toString());
        assertEquals(
            "completed",
            api.get(ADA, session + "/turns/" + first + "?waitSeconds=10")
                .json()
                .get("status")
                .asText());
        Response next =
            api.post(ADA, session + "/messages?waitSeconds=10", "{\"content\": \"and now?\"}");
        assertEquals("completed", next.json().get("status").asText(), next.toString());
        second = next.json().get("turnId").asText();
        node.webhooks.settled("acme").toCompletableFuture().get(30, TimeUnit.SECONDS);
      } finally {
        journal.resetPolicy();
      }
      String id = session.substring("/v1/sessions/".length());
      assertTrue(
          receiver.received.stream().noneMatch(r -> r.body().contains("\"" + id + "\"")),
          "the outbox took none of them");
      awaitOutbox();

      // A write of the session fails: it restarts in place, from its journal.
      journal.failNextPersisted("Session|acme:" + id);
      api.put(ADA, session + "/memory/x", "1");

      String entity = "acme:" + id;
      String approvalId = approval.get("id").asText();
      List<String> expected =
          List.of(
              eventId(entity, LifecycleNotice.APPROVAL_REQUESTED, approvalId),
              eventId(entity, LifecycleNotice.APPROVAL_DECIDED, approvalId),
              eventId(entity, LifecycleNotice.IDLE, first),
              eventId(entity, LifecycleNotice.TURN_COMPLETED, first),
              eventId(entity, LifecycleNotice.IDLE, second),
              eventId(entity, LifecycleNotice.TURN_COMPLETED, second));
      List<JsonNode> delivered =
          receiver.await(r -> r.body().contains("\"" + id + "\""), 6, WAIT).stream()
              .map(hook::verified)
              .toList();
      List<String> ids = delivered.stream().map(e -> e.get("id").asText()).toList();
      // An offer the outbox took late, after its journal came back, may come first: each once.
      assertEquals(Set.copyOf(expected), Set.copyOf(ids), "each change once, under its id");
      assertEquals(6, ids.size(), ids::toString);
      assertTrue(
          ids.indexOf(expected.get(0)) < ids.indexOf(expected.get(1))
              && ids.indexOf(expected.get(1)) < ids.indexOf(expected.get(2)),
          "what only the replay found, in the order it was made: " + ids);
      JsonNode idle = delivered.get(ids.indexOf(expected.get(2)));
      assertEquals("agent.session.idle", idle.get("type").asText());
      assertEquals(id, idle.at("/data/id").asText());
      Thread.sleep(500);
      assertEquals(
          6,
          receiver.received.stream().filter(r -> r.body().contains("\"" + id + "\"")).count(),
          "nothing twice");
      api.delete(OLGA, "/v1/webhooks/" + hook.id());
    }
  }

  private static String eventId(String entity, String type, String about) {
    return LifecycleNotices.eventId(entity, new LifecycleNotices.Mark(type, about));
  }

  /** Until the outbox answers again (it restarts with a backoff after the refused writes). */
  private static void awaitOutbox() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (api.get(OLGA, "/v1/webhooks").status() != 200) {
      assertTrue(System.nanoTime() < deadline, "the outbox answers again");
      Thread.sleep(200);
    }
  }
}
