package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.http.Api.Response;
import org.junit.jupiter.api.Test;

/**
 * Bounds on what one session may hold, over HTTP: each refusal is a clear error naming what is too
 * big, and changes nothing. (The rate limit and the token budget have tests of their own.)
 */
class LimitsApiTest {

  private final Api api = TestNode.shared().api;

  private String session(String model) {
    String id = TestNode.newId("limits");
    assertEquals(
        201,
        api.post(
                ADA,
                "/v1/sessions",
                "{\"id\": \"" + id + "\", \"agent\": {\"model\": \"" + model + "\"}}")
            .status());
    return "/v1/sessions/" + id;
  }

  @Test
  void aMessageOverTheLimitIs413NamingTheContent() {
    String session = session("scripted");
    Response big =
        api.post(ADA, session + "/messages", "{\"content\": \"" + "x".repeat(200_001) + "\"}");
    assertEquals(413, big.status(), big.status() + " " + big.errorCode());
    assertEquals("too_large", big.errorCode());
    assertTrue(big.errorMessage().contains("content"), big.errorMessage());
    assertEquals(
        0, api.get(ADA, session + "/turns").json().get("turns").size(), "no turn was opened");
  }

  @Test
  void aMemoryValueOverTheLimitIs413AndAnAgentsOwnWriteFailsItsToolCall() {
    String session = session("scripted");
    String big = "\"" + "v".repeat(70 * 1024) + "\"";
    Response put = api.put(ADA, session + "/memory/notes", big);
    assertEquals(413, put.status(), brief(put));
    assertEquals("too_large", put.errorCode());
    assertTrue(put.errorMessage().contains("notes"), put.errorMessage());
    assertEquals(0, api.get(ADA, session + "/memory").json().size());

    String write =
        "/tool memory_write {\\\"key\\\": \\\"notes\\\", \\\"value\\\": "
            + big.replace("\"", "\\\"")
            + "}";
    Response turn =
        api.post(ADA, session + "/messages?waitSeconds=10", "{\"content\": \"" + write + "\"}");
    assertEquals("completed", turn.json().get("status").asText(), brief(turn));
    var messages = api.get(ADA, session + "/messages").json().get("messages");
    var outcome = messages.get(2);
    assertEquals("failed", outcome.get("outcome").asText(), outcome.toString());
    assertTrue(outcome.get("content").asText().contains("notes"), outcome.toString());
    assertEquals(
        0,
        api.get(ADA, session + "/memory").json().size(),
        "the agent's write changed nothing either");
  }

  private static String brief(Response r) {
    String text = r.toString();
    return text.length() > 300 ? text.substring(0, 300) : text;
  }

  @Test
  void messagesWaitingBehindARunningTurnAreBounded() {
    String session = session("stall");
    for (int i = 0; i <= 100; i++) {
      assertEquals(
          202,
          api.post(ADA, session + "/messages", "{\"content\": \"m" + i + "\"}").status(),
          "message " + i);
    }
    Response full = api.post(ADA, session + "/messages", "{\"content\": \"one too many\"}");
    assertEquals(429, full.status(), full.toString());
    assertEquals("queue_full", full.errorCode());
    assertEquals(100, api.get(ADA, session).json().get("queuedMessages").asInt());
    Response interrupt =
        api.post(ADA, session + "/messages", "{\"content\": \"now\", \"onBusy\": \"interrupt\"}");
    assertEquals(202, interrupt.status(), "an interrupt empties the queue: " + interrupt);
  }
}
