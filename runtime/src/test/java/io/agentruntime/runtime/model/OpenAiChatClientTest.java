package io.agentruntime.runtime.model;

import static io.agentruntime.runtime.model.ModelCalls.ask;
import static io.agentruntime.runtime.model.ModelCalls.failure;
import static io.agentruntime.runtime.model.ModelCalls.reply;
import static io.agentruntime.runtime.model.ModelCalls.settings;
import static io.agentruntime.runtime.testing.FakeOpenAiServer.call;
import static io.agentruntime.runtime.testing.FakeOpenAiServer.text;
import static io.agentruntime.runtime.testing.FakeOpenAiServer.toolCalls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.testing.FakeReply;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible client over real sockets: streaming, tool calls, usage, request shape. */
class OpenAiChatClientTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final FakeOpenAiServer server = FakeOpenAiServer.start();
  private final OpenAiChatClient client = new OpenAiChatClient(settings(server));

  @AfterEach
  void close() {
    server.close();
  }

  @Test
  void forwardsContentDeltasInOrderAsTheyArrive() throws Exception {
    server.enqueue(
        FakeReply.textPieces("The ", "quick ", "brown ", "fox").chunkDelay(Duration.ofMillis(150)));
    List<String> deltas = new CopyOnWriteArrayList<>();
    List<Long> arrivals = new CopyOnWriteArrayList<>();

    ModelReply reply =
        client
            .complete(
                ask("hi"),
                delta -> {
                  deltas.add(delta);
                  arrivals.add(System.nanoTime());
                })
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    long completed = System.nanoTime();

    assertEquals(List.of("The ", "quick ", "brown ", "fox"), deltas);
    assertEquals("The quick brown fox", reply.text());
    assertTrue(reply.toolCalls().isEmpty());
    assertTrue(
        completed - arrivals.get(0) > TimeUnit.MILLISECONDS.toNanos(300),
        "the first delta came before the stream ended");
  }

  @Test
  void assemblesTwoParallelToolCallsFromSplitDeltas() throws Exception {
    server.enqueue(
        toolCalls(
            call("call_a", "get_weather", "{\"city\": \"Paris\", \"unit\": \"celsius\"}"),
            call("call_b", "get_time", "{\"tz\": \"Europe/Paris\"}")));

    ModelReply reply = reply(client, ask("weather and time in Paris?"));

    assertEquals("", reply.text());
    assertEquals(2, reply.toolCalls().size());
    ToolCall weather = reply.toolCalls().get(0);
    assertEquals("call_a", weather.id());
    assertEquals("get_weather", weather.name());
    assertEquals(
        JSON.readTree("{\"city\": \"Paris\", \"unit\": \"celsius\"}"), weather.arguments());
    assertEquals("{\"city\": \"Paris\", \"unit\": \"celsius\"}", weather.rawArguments());
    ToolCall time = reply.toolCalls().get(1);
    assertEquals("call_b", time.id());
    assertEquals("get_time", time.name());
    assertEquals("Europe/Paris", time.arguments().path("tz").asText());
  }

  @Test
  void textAndToolCallsInOneStep() throws Exception {
    server.enqueue(text("Let me look.").withToolCalls(call("c1", "search", "{\"q\":\"x\"}")));

    ModelReply reply = reply(client, ask("find x"));

    assertEquals("Let me look.", reply.text());
    assertEquals(List.of("search"), reply.toolCalls().stream().map(ToolCall::name).toList());
  }

  @Test
  void readsUsageFromTheLastChunk() throws Exception {
    server.enqueue(text("counted").usage(12, 34));

    ModelReply reply = reply(client, ask("count me"));

    assertEquals(12, reply.inputTokens());
    assertEquals(34, reply.outputTokens());
    JsonNode sent = server.requests().get(0);
    assertTrue(sent.path("stream").asBoolean());
    assertTrue(sent.path("stream_options").path("include_usage").asBoolean());
  }

  @Test
  void asksForOneWholeAnswerWhenNobodyFollowsTheDeltas() throws Exception {
    server.enqueue(text("a whole answer").usage(5, 3).nonStreaming(), text("streamed anyway"));

    ModelReply whole =
        client.complete(ask("hi"), null).toCompletableFuture().get(10, TimeUnit.SECONDS);
    ModelReply streamed =
        client.complete(ask("again"), null).toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertEquals("a whole answer", whole.text());
    assertEquals(5, whole.inputTokens());
    assertEquals("streamed anyway", streamed.text(), "a stream sent anyway is still understood");
    for (JsonNode sent : server.requests()) {
      assertFalse(sent.has("stream"), sent::toString);
      assertFalse(sent.has("stream_options"), sent::toString);
    }
  }

  @Test
  void understandsAProviderThatAnswersWithOneJsonBody() throws Exception {
    server.enqueue(
        text("a whole answer").usage(5, 3).nonStreaming(),
        toolCalls(call("c9", "lookup", "{\"id\": 7}")).nonStreaming());
    List<String> deltas = new CopyOnWriteArrayList<>();

    ModelReply answer =
        client.complete(ask("hi"), deltas::add).toCompletableFuture().get(10, TimeUnit.SECONDS);
    ModelReply calls = reply(client, ask("look it up"));

    assertEquals("a whole answer", answer.text());
    assertEquals(List.of("a whole answer"), deltas);
    assertEquals(5, answer.inputTokens());
    assertEquals(3, answer.outputTokens());
    assertEquals("c9", calls.toolCalls().get(0).id());
    assertEquals(7, calls.toolCalls().get(0).arguments().path("id").asInt());
  }

  @Test
  void sendsTheConversationInTheChatCompletionsShape() throws Exception {
    JsonNode schema =
        JSON.readTree("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}");
    ToolCall parsed =
        new ToolCall("call_1", "get_weather", JSON.readTree("{\"city\":\"Oslo\"}"), null);
    ToolCall raw = ToolCall.fromRaw("call_2", "get_weather", "{\"city\": \"Rome\"}");
    ModelRequest request =
        new ModelRequest(
            "You are terse.",
            List.of(
                ModelMessage.user("weather in Oslo and Rome?"),
                ModelMessage.assistant(null, List.of(parsed, raw)),
                ModelMessage.tool("call_1", "{\"temp\": 3}"),
                ModelMessage.tool("call_2", "{\"temp\": 18}")),
            List.of(new ToolSpec("get_weather", "Current weather of a city", schema)),
            Duration.ofSeconds(10));

    reply(client, request);

    JsonNode expected =
        JSON.readTree(
            """
        {"model": "gpt-test",
         "messages": [
           {"role": "system", "content": "You are terse."},
           {"role": "user", "content": "weather in Oslo and Rome?"},
           {"role": "assistant", "content": null, "tool_calls": [
             {"id": "call_1", "type": "function",
              "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Oslo\\"}"}},
             {"id": "call_2", "type": "function",
              "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Rome\\"}"}}]},
           {"role": "tool", "tool_call_id": "call_1", "content": "{\\"temp\\": 3}"},
           {"role": "tool", "tool_call_id": "call_2", "content": "{\\"temp\\": 18}"}],
         "tools": [{"type": "function", "function": {"name": "get_weather",
           "description": "Current weather of a city", "parameters": %s}}],
         "stream": true,
         "stream_options": {"include_usage": true}}
        """
                .formatted(schema));
    assertEquals(expected, server.requests().get(0));
    assertEquals("/v1/chat/completions", server.recorded().get(0).path());
  }

  @Test
  void leavesOutTheSystemMessageAndToolsWhenThereAreNone() throws Exception {
    reply(client, ask("just chat"));

    JsonNode sent = server.requests().get(0);
    assertEquals(1, sent.path("messages").size());
    assertEquals("user", sent.path("messages").path(0).path("role").asText());
    assertFalse(sent.has("tools"));
  }

  @Test
  void keepsMalformedArgumentsAsRawText() throws Exception {
    server.enqueue(
        toolCalls(
            call("c1", "send_email", "{\"to\": \"ada@example.com\""),
            call("c2", "send_email", "[1, 2]")));

    ModelReply reply = reply(client, ask("mail Ada"));

    assertNull(reply.toolCalls().get(0).arguments());
    assertEquals("{\"to\": \"ada@example.com\"", reply.toolCalls().get(0).rawArguments());
    assertNull(reply.toolCalls().get(1).arguments(), "a JSON array is not an arguments object");
    assertEquals("[1, 2]", reply.toolCalls().get(1).rawArguments());
  }

  @Test
  void sendsTheApiKeyAsBearerAndNeverShowsIt() throws Exception {
    String key = "sk-test-0123456789-secret";
    OpenAiChatClient keyed = new OpenAiChatClient(settings(server).withApiKey(key));
    server.enqueue(
        text("ok"),
        FakeReply.status(
            401, "{\"error\":{\"message\":\"Incorrect API key provided: " + key + "\"}}"));

    reply(keyed, ask("hi"));
    ModelException refused = failure(keyed, ask("hi again"));

    assertEquals("Bearer " + key, server.recorded().get(0).header("Authorization"));
    assertEquals("model_error", refused.code());
    assertTrue(refused.getMessage().contains("401"), refused.getMessage());
    assertFalse(refused.getMessage().contains(key), refused.getMessage());
    assertFalse(keyed.toString().contains(key));
    assertFalse(keyed.settings().toString().contains(key));
  }

  @Test
  void sendsNoAuthorizationWithoutAKey() throws Exception {
    reply(client, ask("hi"));

    assertNull(server.recorded().get(0).header("Authorization"));
  }
}
