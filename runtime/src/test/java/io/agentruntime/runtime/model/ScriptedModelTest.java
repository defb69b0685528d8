package io.agentruntime.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The scripted model: echo, /tool steps, summaries of outcomes, deltas and token counts. */
class ScriptedModelTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ScriptedModel model = new ScriptedModel();

  @Test
  void echoesAnyOtherMessageAndStreamsItInPieces() {
    List<String> deltas = new ArrayList<>();
    ModelReply reply =
        complete(
            List.of(ModelMessage.user("Summarise my open tickets, please, and be brief about it")),
            deltas);

    assertEquals("echo: Summarise my open tickets, please, and be brief about it", reply.text());
    assertTrue(reply.toolCalls().isEmpty());
    assertTrue(deltas.size() > 1, "streamed in several pieces: " + deltas);
    assertEquals(reply.text(), String.join("", deltas));
  }

  @Test
  void completesAtOnce() {
    CompletableFuture<ModelReply> call =
        model
            .complete(request(List.of(ModelMessage.user("hi"))), delta -> {})
            .toCompletableFuture();

    assertTrue(call.isDone());
  }

  @Test
  void callsTheToolOfASlashToolLine() throws Exception {
    List<String> deltas = new ArrayList<>();
    ModelReply reply =
        complete(
            List.of(
                ModelMessage.user(
                    "/tool send_email {\"to\": \"ada@example.com\", \"subject\": \"hi\"}")),
            deltas);

    assertEquals("", reply.text());
    assertTrue(deltas.isEmpty());
    assertEquals(1, reply.toolCalls().size());
    ToolCall call = reply.toolCalls().get(0);
    assertEquals("call_1", call.id());
    assertEquals("send_email", call.name());
    assertEquals(
        JSON.readTree("{\"to\": \"ada@example.com\", \"subject\": \"hi\"}"), call.arguments());
  }

  @Test
  void makesOneCallPerSlashToolLineInOrder() {
    ModelReply reply =
        complete(
            List.of(
                ModelMessage.user(
                    """
        Please do these:
        /tool memory_write {"key": "city", "value": "Oslo"}
          /tool memory_read {"key": "city"}
        /tool list_tickets
        """)),
            new ArrayList<>());

    assertEquals(
        List.of("memory_write", "memory_read", "list_tickets"),
        reply.toolCalls().stream().map(ToolCall::name).toList());
    assertEquals(
        List.of("call_1", "call_2", "call_3"),
        reply.toolCalls().stream().map(ToolCall::id).toList());
    assertEquals("Oslo", reply.toolCalls().get(0).arguments().path("value").asText());
    assertEquals(JSON.createObjectNode(), reply.toolCalls().get(2).arguments());
  }

  @Test
  void summarisesTheOutcomesOnceTheyAreIn() {
    List<ToolCall> calls =
        List.of(
            ToolCall.fromRaw("call_1", "memory_read", "{\"key\":\"a\"}"),
            ToolCall.fromRaw("call_2", "send_email", "{}"));
    List<String> deltas = new ArrayList<>();

    ModelReply reply =
        complete(
            List.of(
                ModelMessage.user("/tool memory_read {\"key\":\"a\"}\n/tool send_email"),
                ModelMessage.assistant("", calls),
                ModelMessage.tool("call_1", "{\"value\": 42}"),
                ModelMessage.tool("call_2", "rejected: denied by policy")),
            deltas);

    assertTrue(reply.toolCalls().isEmpty());
    assertEquals(
        "Tool results: memory_read: {\"value\": 42}; send_email: rejected: denied by " + "policy",
        reply.text());
    assertEquals(reply.text(), String.join("", deltas));
  }

  @Test
  void idsStayUniqueAcrossTheConversation() {
    List<ToolCall> earlier =
        List.of(ToolCall.fromRaw("call_1", "a", "{}"), ToolCall.fromRaw("call_2", "b", "{}"));

    ModelReply reply =
        complete(
            List.of(
                ModelMessage.user("/tool a\n/tool b"),
                ModelMessage.assistant("", earlier),
                ModelMessage.tool("call_1", "ok"),
                ModelMessage.tool("call_2", "ok"),
                ModelMessage.assistant("Tool results: a: ok; b: ok", List.of()),
                ModelMessage.user("/tool a")),
            new ArrayList<>());

    assertEquals(List.of("call_3"), reply.toolCalls().stream().map(ToolCall::id).toList());
  }

  @Test
  void echoesAPlainMessageAfterAToolTurn() {
    ModelReply reply =
        complete(
            List.of(
                ModelMessage.user("/tool a"),
                ModelMessage.assistant("", List.of(ToolCall.fromRaw("call_1", "a", "{}"))),
                ModelMessage.tool("call_1", "ok"),
                ModelMessage.assistant("Tool results: a: ok", List.of()),
                ModelMessage.user("thanks")),
            new ArrayList<>());

    assertEquals("echo: thanks", reply.text());
  }

  // Documented choice: text after the name that is not a JSON object is passed on like a real
  // model's malformed arguments, so that the runtime's handling of those can be exercised.
  @Test
  void passesArgumentsThatAreNotAJsonObjectOnAsRawText() {
    ModelReply reply =
        complete(List.of(ModelMessage.user("/tool send_email {to: ada")), new ArrayList<>());

    ToolCall call = reply.toolCalls().get(0);
    assertEquals("send_email", call.name());
    assertNull(call.arguments());
    assertEquals("{to: ada", call.rawArguments());
  }

  @Test
  void countsWordsAsTokens() {
    ModelRequest request =
        new ModelRequest(
            "Be brief.",
            List.of(ModelMessage.user("one two three")),
            List.of(),
            Duration.ofSeconds(1));

    ModelReply reply = model.complete(request, null).toCompletableFuture().join();

    assertEquals(5, reply.inputTokens());
    assertEquals(4, reply.outputTokens()); // "echo: one two three"
  }

  private ModelReply complete(List<ModelMessage> messages, List<String> deltas) {
    return model.complete(request(messages), deltas::add).toCompletableFuture().join();
  }

  private static ModelRequest request(List<ModelMessage> messages) {
    return new ModelRequest("", messages, List.of(), Duration.ofSeconds(5));
  }
}
