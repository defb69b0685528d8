package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Messages, turns and the transcript over HTTP, with the agent loop of {@link TestRuntime}: the
 * {@code stall} model keeps a turn running (so that busy sessions can be observed), the scripted
 * model ends turns at once.
 */
class MessagesApiTest {

  private final Api api = TestNode.shared().api;

  /** A new session of Ada's with {@code model}, as its path. */
  private String session(String model) {
    return sessionWith("\"agent\": {\"model\": \"" + model + "\"}");
  }

  /** A new session of Ada's made of {@code fields} (JSON object members), as its path. */
  private String sessionWith(String fields) {
    String id = TestNode.newId("msg");
    Response created = api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\", " + fields + "}");
    assertEquals(201, created.status(), created.toString());
    return "/v1/sessions/" + id;
  }

  @Test
  void aMessageOpensATurnThatRunsAndTheNextOneQueues() {
    String session = session("stall");
    Response accepted =
        api.post(ADA, session + "/messages", "{\"content\": \"Summarise my open tickets\"}");
    assertEquals(202, accepted.status(), accepted.toString());
    String turnId = accepted.json().get("turnId").asText();
    assertTrue(turnId.startsWith("turn_"), turnId);
    assertEquals("running", accepted.json().get("status").asText());

    Response second = api.post(ADA, session + "/messages", "{\"content\": \"and then?\"}");
    assertEquals("queued", second.json().get("status").asText());
    JsonNode s = api.get(ADA, session).json();
    assertEquals("running", s.get("status").asText());
    assertEquals(turnId, s.at("/currentTurn/id").asText());
    assertEquals("running", s.at("/currentTurn/status").asText());
    assertEquals(1, s.get("queuedMessages").asInt());
  }

  @Test
  void theSameIdempotencyKeyGivesTheSameTurnAndChangesNothing() {
    String session = session("stall");
    Map<String, String> key = Map.of("Idempotency-Key", "msg-key-1");
    Response first = api.send("POST", session + "/messages", ADA, "{\"content\": \"once\"}", key);
    Response retry = api.send("POST", session + "/messages", ADA, "{\"content\": \"once\"}", key);
    assertEquals(202, first.status());
    assertEquals(202, retry.status());
    assertEquals(first.json(), retry.json());
    assertEquals(1, api.get(ADA, session + "/messages").json().get("messages").size());
  }

  @Test
  void rejectOnABusySessionIsAConflictAndInterruptCancelsTheUnfinishedTurns() {
    String session = session("stall");
    String first =
        api.post(ADA, session + "/messages", "{\"content\": \"first\"}")
            .json()
            .get("turnId")
            .asText();

    Response rejected =
        api.post(ADA, session + "/messages", "{\"content\": \"second\", \"onBusy\": \"reject\"}");
    assertEquals(409, rejected.status());
    assertEquals("session_busy", rejected.errorCode());

    Response queued =
        api.post(ADA, session + "/messages", "{\"content\": \"third\", \"onBusy\": \"queue\"}");
    assertEquals(202, queued.status());
    assertEquals("queued", queued.json().get("status").asText());

    Response interrupting =
        api.post(ADA, session + "/messages", "{\"content\": \"now\", \"onBusy\": \"interrupt\"}");
    assertEquals(202, interrupting.status());
    assertEquals("running", interrupting.json().get("status").asText());
    JsonNode cancelled = api.get(ADA, session + "/turns/" + first).json();
    assertEquals("cancelled", cancelled.get("status").asText());
    assertEquals("cancelled", cancelled.at("/error/code").asText());
    assertEquals(
        "cancelled",
        api.get(ADA, session + "/turns/" + queued.json().get("turnId").asText())
            .json()
            .get("status")
            .asText());
    assertEquals(
        interrupting.json().get("turnId").asText(),
        api.get(ADA, session).json().at("/currentTurn/id").asText());
  }

  @Test
  void aTurnIsReadWithItsFields() {
    String session = session("stall");
    String turnId =
        api.post(ADA, session + "/messages", "{\"content\": \"hi\"}").json().get("turnId").asText();
    Response turn = api.get(ADA, session + "/turns/" + turnId);
    assertEquals(200, turn.status());
    JsonNode t = turn.json();
    assertEquals(turnId, t.get("turnId").asText());
    assertEquals("running", t.get("status").asText());
    assertEquals(0, t.get("steps").asInt());
    assertTrue(t.has("output") && t.get("output").isNull());
    assertTrue(t.has("error") && t.get("error").isNull());

    Response unknown = api.get(ADA, session + "/turns/turn_nope");
    assertEquals(404, unknown.status());
    assertEquals("turn_not_found", unknown.errorCode());
  }

  @Test
  void waitingForATurnThatDoesNotSettleReturnsWhenTheTimeIsUp() {
    String session = session("stall");
    String turnId =
        api.post(ADA, session + "/messages", "{\"content\": \"hi\"}").json().get("turnId").asText();

    long started = System.nanoTime();
    Response turn = api.get(ADA, session + "/turns/" + turnId + "?waitSeconds=1");
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertEquals(200, turn.status());
    assertEquals("running", turn.json().get("status").asText());
    assertTrue(millis >= 900, "waited " + millis + " ms");

    started = System.nanoTime();
    Response message =
        api.post(ADA, session + "/messages?waitSeconds=1", "{\"content\": \"again\"}");
    millis = (System.nanoTime() - started) / 1_000_000;
    assertEquals(202, message.status(), "a turn still queued after the wait answers 202");
    assertEquals("queued", message.json().get("status").asText());
    assertTrue(millis >= 900, "waited " + millis + " ms");
  }

  @Test
  void theTranscriptIsReadAPageAtATime() {
    String session = session("scripted");
    for (int i = 0; i < 5; i++) {
      assertEquals(
          200,
          api.post(ADA, session + "/messages?waitSeconds=30", "{\"content\": \"m" + i + "\"}")
              .status());
    }
    JsonNode all = api.get(ADA, session + "/messages").json();
    assertEquals(10, all.get("messages").size(), "a message and its echo each");
    assertTrue(all.get("nextAfter").isNull(), "one page holds them all by default");

    List<JsonNode> paged = new java.util.ArrayList<>();
    String query = "?limit=3";
    int pages = 0;
    while (query != null) {
      JsonNode page = api.get(ADA, session + "/messages" + query).json();
      page.get("messages").forEach(paged::add);
      pages++;
      JsonNode next = page.get("nextAfter");
      query = next.isNull() ? null : "?limit=3&after=" + next.asLong();
    }
    assertEquals(4, pages, "3 + 3 + 3 + 1");
    List<JsonNode> expected = new java.util.ArrayList<>();
    all.get("messages").forEach(expected::add);
    assertEquals(expected, paged, "every message once, in order");

    Response bad = api.get(ADA, session + "/messages?after=-1");
    assertEquals(400, bad.status());
    assertTrue(bad.toString().contains("after"), bad.toString());
    assertEquals(400, api.get(ADA, session + "/messages?limit=0").status());
  }

  @Test
  void aPageOfTheTranscriptIsBoundedInBytesToo() {
    String session = session("scripted");
    String large = "x".repeat(150_000);
    for (int i = 0; i < 4; i++) {
      assertEquals(
          200,
          api.post(ADA, session + "/messages?waitSeconds=30", "{\"content\": \"" + large + "\"}")
              .status());
    }
    JsonNode first = api.get(ADA, session + "/messages?limit=1000").json();
    int onFirst = first.get("messages").size();
    assertTrue(onFirst < 8, "8 messages of 150 KB do not fit one page of 1 MiB: " + onFirst);
    assertTrue(first.get("nextAfter").canConvertToLong(), first.get("nextAfter").toString());
    JsonNode rest =
        api.get(ADA, session + "/messages?limit=1000&after=" + first.get("nextAfter").asLong())
            .json();
    assertEquals(8, onFirst + rest.get("messages").size());
  }

  @Test
  void waitingEndsAsSoonAsTheTurnCompletes() {
    String session = session("scripted");
    long started = System.nanoTime();
    Response done = api.post(ADA, session + "/messages?waitSeconds=30", "{\"content\": \"hi\"}");
    assertEquals(200, done.status(), done.toString());
    assertEquals("completed", done.json().get("status").asText());
    assertEquals("echo: hi", done.json().get("output").asText());
    assertEquals(1, done.json().get("steps").asInt());
    assertTrue((System.nanoTime() - started) / 1_000_000 < 5_000);

    Response again =
        api.get(ADA, session + "/turns/" + done.json().get("turnId").asText() + "?waitSeconds=30");
    assertEquals(done.json().get("output"), again.json().get("output"));
  }

  @Test
  void waitingEndsAsSoonAsTheTurnFails() {
    String session = session("broken");
    Response failed = api.post(ADA, session + "/messages?waitSeconds=30", "{\"content\": \"hi\"}");
    assertEquals(200, failed.status(), failed.toString());
    assertEquals("failed", failed.json().get("status").asText());
    assertEquals("model_unavailable", failed.json().at("/error/code").asText());
  }

  @Test
  void waitingForASettledTurnAnswersAtOnce() {
    String session = session("stall");
    String first =
        api.post(ADA, session + "/messages", "{\"content\": \"a\"}").json().get("turnId").asText();
    api.post(ADA, session + "/messages", "{\"content\": \"b\", \"onBusy\": \"interrupt\"}");

    long started = System.nanoTime();
    Response turn = api.get(ADA, session + "/turns/" + first + "?waitSeconds=30");
    assertEquals(200, turn.status());
    assertEquals("cancelled", turn.json().get("status").asText());
    assertTrue((System.nanoTime() - started) / 1_000_000 < 5_000);
  }

  @Test
  void waitSecondsMustBeANonNegativeInteger() {
    String session = session("stall");
    String turnId =
        api.post(ADA, session + "/messages", "{\"content\": \"hi\"}").json().get("turnId").asText();
    for (String bad : List.of("-1", "abc", "1.5", "")) {
      Response turn = api.get(ADA, session + "/turns/" + turnId + "?waitSeconds=" + bad);
      assertEquals(400, turn.status(), bad);
      assertEquals("invalid_field", turn.errorCode());
      assertTrue(turn.errorMessage().contains("waitSeconds"));
      Response message =
          api.post(ADA, session + "/messages?waitSeconds=" + bad, "{\"content\": \"x\"}");
      assertEquals(400, message.status(), bad);
    }
    assertEquals(
        1,
        api.get(ADA, session + "/turns").json().get("turns").size(),
        "refused messages opened no turn");
  }

  @Test
  void turnsAreListedNewestFirstPageByPage() {
    String session = session("stall");
    String a =
        api.post(ADA, session + "/messages", "{\"content\": \"a\"}").json().get("turnId").asText();
    String b =
        api.post(ADA, session + "/messages", "{\"content\": \"b\"}").json().get("turnId").asText();
    String c =
        api.post(ADA, session + "/messages", "{\"content\": \"c\"}").json().get("turnId").asText();

    Response page1 = api.get(ADA, session + "/turns?limit=2");
    assertEquals(200, page1.status());
    JsonNode turns = page1.json().get("turns");
    assertEquals(
        List.of(c, b),
        List.of(turns.get(0).get("turnId").asText(), turns.get(1).get("turnId").asText()));
    assertEquals("queued", turns.get(0).get("status").asText());
    String cursor = page1.json().get("nextCursor").asText();

    Response page2 = api.get(ADA, session + "/turns?limit=2&cursor=" + cursor);
    assertEquals(200, page2.status());
    assertEquals(1, page2.json().get("turns").size());
    assertEquals(a, page2.json().at("/turns/0/turnId").asText());
    assertEquals("running", page2.json().at("/turns/0/status").asText());
    assertTrue(page2.json().get("nextCursor").isNull());

    assertEquals(400, api.get(ADA, session + "/turns?cursor=turn_unknown").status());
    assertEquals(400, api.get(ADA, session + "/turns?limit=0").status());
  }

  @Test
  void theTranscriptHoldsTheConversationInOrder() {
    String session = session("scripted");
    String a =
        api.post(ADA, session + "/messages?waitSeconds=10", "{\"content\": \"first\"}")
            .json()
            .get("turnId")
            .asText();
    String b =
        api.post(ADA, session + "/messages?waitSeconds=10", "{\"content\": \"second\"}")
            .json()
            .get("turnId")
            .asText();

    Response transcript = api.get(ADA, session + "/messages");
    assertEquals(200, transcript.status());
    JsonNode messages = transcript.json().get("messages");
    assertEquals(4, messages.size(), messages.toString());
    JsonNode m = messages.get(0);
    assertEquals(2, m.get("seq").asLong(), "the session's creation is event 1");
    assertEquals(a, m.get("turnId").asText());
    assertEquals("user", m.get("role").asText());
    assertEquals("first", m.get("content").asText());
    assertTrue(m.get("toolCalls").isArray() && m.get("toolCalls").isEmpty());
    assertTrue(m.has("toolCallId") && m.has("outcome"));
    assertEquals("assistant", messages.get(1).get("role").asText());
    assertEquals("echo: first", messages.get(1).get("content").asText());
    assertEquals(b, messages.get(2).get("turnId").asText());
    assertEquals("echo: second", messages.get(3).get("content").asText());
    assertNotEquals(m.get("seq"), messages.get(1).get("seq"));
  }

  @Test
  void theTranscriptShowsToolCallsAndTheirOutcomes() {
    String session =
        sessionWith(
            """
        "agent": {"model": "scripted"},
        "tools": [{"name": "echo", "kind": "http", "url": "http://127.0.0.1:9/echo"}],
        "permissions": {"tools": {"echo": "allow"}}""");
    Response done =
        api.post(
            ADA,
            session + "/messages?waitSeconds=10",
            "{\"content\": \"/tool echo {\\\"x\\\": 1}\"}");
    assertEquals("completed", done.json().get("status").asText(), done.toString());

    JsonNode messages = api.get(ADA, session + "/messages").json().get("messages");
    assertEquals(
        List.of("user", "assistant", "tool", "assistant"),
        List.of(
            messages.get(0).get("role").asText(),
            messages.get(1).get("role").asText(),
            messages.get(2).get("role").asText(),
            messages.get(3).get("role").asText()));
    JsonNode call = messages.get(1).at("/toolCalls/0");
    assertEquals("echo", call.get("name").asText());
    assertEquals(1, call.at("/arguments/x").asInt());
    JsonNode outcome = messages.get(2);
    assertEquals(call.get("id").asText(), outcome.get("toolCallId").asText());
    assertEquals("succeeded", outcome.get("outcome").asText());
    assertTrue(outcome.get("content").asText().contains("echoed"), outcome.toString());
    assertTrue(
        messages.get(3).get("content").asText().startsWith("Tool results: echo:"),
        messages.get(3).toString());
    assertTrue(messages.get(3).get("toolCalls").isEmpty());
  }

  /**
   * Decision 0039 changed this test: it pinned "a message after the budget is spent is a 429
   * budget_exhausted". The message is accepted, and its turn waits for an approver before its model
   * call (BudgetsApiTest proves the raise and the deny).
   */
  @Test
  void aSpentTokenBudgetPausesTheNextTurnForAnApprover() {
    String session =
        sessionWith("\"agent\": {\"model\": \"scripted\", \"limits\": {\"maxSessionTokens\": 1}}");
    assertEquals(1, api.get(ADA, session).json().at("/agent/limits/maxSessionTokens").asLong());
    assertEquals(
        "completed",
        api.post(ADA, session + "/messages?waitSeconds=10", "{\"content\": \"hello\"}")
            .json()
            .get("status")
            .asText());

    Response spent = api.post(ADA, session + "/messages?waitSeconds=10", "{\"content\": \"more\"}");
    assertEquals("awaiting_approval", spent.json().get("status").asText(), spent.toString());
    assertEquals("budget", api.get(ADA, session + "/approvals").json().at("/0/reason").asText());

    Response negative =
        api.post(ADA, "/v1/sessions", "{\"agent\": {\"limits\": {\"maxSessionTokens\": -1}}}");
    assertEquals(400, negative.status());
    assertTrue(
        negative.errorMessage().startsWith("agent.limits.maxSessionTokens"),
        negative.errorMessage());
  }

  @Test
  void messageBodiesAreChecked() {
    String session = session("stall");
    Response noContent = api.post(ADA, session + "/messages", "{\"onBusy\": \"queue\"}");
    assertEquals(400, noContent.status());
    assertTrue(noContent.errorMessage().contains("content is required"));

    Response wrongType = api.post(ADA, session + "/messages", "{\"content\": 5}");
    assertEquals(400, wrongType.status());
    assertTrue(wrongType.errorMessage().contains("content must be a string"));

    Response badOnBusy =
        api.post(ADA, session + "/messages", "{\"content\": \"x\", \"onBusy\": \"later\"}");
    assertEquals(400, badOnBusy.status());
    assertTrue(badOnBusy.errorMessage().contains("onBusy"));

    Response blank = api.post(ADA, session + "/messages", "{\"content\": \"  \"}");
    assertEquals(400, blank.status());
    assertEquals("invalid_field", blank.errorCode());
  }
}
