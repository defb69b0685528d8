package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.session.SessionEntity;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Kill;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A message sent with {@code ?waitSeconds=} whose session forgets the waiting request (its entity
 * stops mid-turn, as on a node crash or a move, and comes back from the journal): the request does
 * not answer 503 for a message that was accepted, it finds the turn it named (decision 0013).
 */
class MessageWaitAfterRestartTest {

  private static TestNode node;
  private static Api api;

  @BeforeAll
  static void start() {
    node = TestNode.start("agent-runtime.session.ask-timeout = 1s");
    api = node.api;
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aRequestWhoseSessionForgotItFindsTheTurnItNamed() throws Exception {
    String id = TestNode.newId("forgetful");
    String session = "/v1/sessions/" + id;
    assertEquals(201, api.put(ADA, session, "{\"agent\": {\"model\": \"stall\"}}").status());

    CompletableFuture<Api.Response> waiting =
        CompletableFuture.supplyAsync(
            () -> api.post(ADA, session + "/messages?waitSeconds=2", "{\"content\": \"hello\"}"));
    awaitTurns(session, 1);
    // The entity stops without passivating: the waiting request is forgotten with it.
    node.system
        .classicSystem()
        .actorSelection(
            "/system/sharding/"
                + SessionEntity.TYPE_KEY.name()
                + "/*/"
                + URLEncoder.encode(SessionEntity.entityId("acme", id), StandardCharsets.UTF_8))
        .tell(Kill.getInstance(), org.apache.pekko.actor.ActorRef.noSender());

    Api.Response answer = waiting.get(20, TimeUnit.SECONDS);
    assertEquals(202, answer.status(), answer::toString);
    String turnId = answer.json().get("turnId").asText();
    JsonNode turns = api.get(ADA, session + "/turns").json().get("turns");
    assertEquals(1, turns.size(), turns::toString);
    assertEquals(turnId, turns.get(0).get("turnId").asText());
    assertEquals("running", turns.get(0).get("status").asText());
  }

  private static void awaitTurns(String session, int count) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      JsonNode turns = api.get(ADA, session + "/turns").json().get("turns");
      if (turns != null && turns.size() == count) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no turn appeared in " + session);
  }
}
