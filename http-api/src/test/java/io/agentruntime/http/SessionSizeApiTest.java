package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.http.Api.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A session's state is bounded as a whole (max-session-size, here 64 KiB), so that its snapshot can
 * always be stored: a message or memory value that would take it past the bound is a 413
 * session_too_large naming the field, and changes nothing.
 */
class SessionSizeApiTest {

  private static TestNode node;
  private static Api api;

  @BeforeAll
  static void start() {
    node = TestNode.start("agent-runtime.session.max-session-size = 64KiB");
    api = node.api;
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aMessageOrValueThatWouldOutgrowTheSessionIs413AndChangesNothing() {
    String id = TestNode.newId("size");
    String session = "/v1/sessions/" + id;
    assertEquals(201, api.put(ADA, session, "{\"agent\": {\"model\": \"scripted\"}}").status());
    String chunk = "x".repeat(12_000);
    // The message, its echo and the turn's output: about 36 KB.
    Response ok =
        api.post(ADA, session + "/messages?waitSeconds=10", "{\"content\": \"" + chunk + "\"}");
    assertEquals("completed", ok.json().path("status").asText(), ok.toString());
    int turns = api.get(ADA, session + "/turns").json().get("turns").size();

    Response message =
        api.post(ADA, session + "/messages", "{\"content\": \"" + chunk.repeat(3) + "\"}");
    Response value = api.put(ADA, session + "/memory/notes", "\"" + chunk.repeat(3) + "\"");

    assertEquals(413, message.status(), message.toString());
    assertEquals("session_too_large", message.errorCode());
    assertTrue(message.errorMessage().startsWith("content: "), message.errorMessage());
    assertEquals(413, value.status(), value.toString());
    assertEquals("session_too_large", value.errorCode());
    assertEquals(turns, api.get(ADA, session + "/turns").json().get("turns").size());
    assertEquals(0, api.get(ADA, session + "/memory").json().size());
  }
}
