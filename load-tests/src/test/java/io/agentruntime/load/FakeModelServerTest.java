package io.agentruntime.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fake model decides as the peer harness's FakeModel does and answers on the OpenAI wire: the
 * simulation's numbers mean something only if the runtime reads these answers as a real model's.
 */
class FakeModelServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static FakeModelServer model;

  @BeforeAll
  static void start() {
    model = FakeModelServer.start(0);
  }

  @AfterAll
  static void stop() {
    model.close();
  }

  // The messages in a compact form: role:content, `tool` for a tool outcome, `;` between.
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '#',
      value = {
        "user:Where is my order? # ANSWER: Where is my order?",
        "user:PLAN: lookup {\"order\": \"42\"} # call lookup {\"order\": \"42\"}",
        "user:PLAN: lookup {\"order\": \"42\"};assistant:;tool # DONE 1",
        "user:PLAN: a {\"x\": 1} | b;assistant:;tool # call b {}",
        "user:PLAN: a {\"x\": 1} | b;assistant:;tool;assistant:;tool # DONE 2",
        // Only the outcomes after the last user message count: a new turn starts its plan over.
        "user:PLAN: lookup {};assistant:;tool;assistant:DONE 1;user:PLAN: lookup {} # call lookup {}",
        "user:PLAN: lookup {};assistant:;tool;assistant:DONE 1;user:thanks # ANSWER: thanks",
        "system:be brief # ANSWER: ",
      })
  void decidesAsThePeerHarness(String conversation, String expected) {
    JsonNode answer = FakeModelServer.decide(messages(conversation));
    assertEquals("assistant", answer.path("role").asText());
    if (expected.startsWith("call ")) {
      String[] call = expected.substring(5).split(" ", 2);
      JsonNode function = answer.path("tool_calls").path(0).path("function");
      assertEquals(call[0], function.path("name").asText());
      assertEquals(call[1], function.path("arguments").asText());
      assertTrue(answer.path("content").isNull());
    } else {
      assertEquals(expected.strip(), answer.path("content").asText().strip());
    }
  }

  @Test
  void readsTheTextOfAMessageInParts() throws Exception {
    JsonNode messages =
        JSON.readTree(
            "[{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"PLAN:\"},"
                + " {\"type\": \"text\", \"text\": \"lookup {}\"}]}]");
    assertEquals(
        "lookup",
        FakeModelServer.decide(messages)
            .path("tool_calls")
            .path(0)
            .path("function")
            .path("name")
            .asText());
  }

  @Test
  void streamsAToolCallWithItsArgumentsSplitThenUsageThenDone() throws Exception {
    HttpResponse<String> response =
        post(
            "{\"model\": \"fake-gpt\", \"stream\": true, \"stream_options\": {\"include_usage\": true},"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"PLAN: lookup {\\\"order\\\": \\\"42\\\"}\"}]}");
    assertEquals(200, response.statusCode());
    assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElse(""));
    List<String> data = data(response.body());
    assertEquals("[DONE]", data.get(data.size() - 1));
    List<JsonNode> chunks = new ArrayList<>();
    for (String d : data.subList(0, data.size() - 1)) {
      chunks.add(JSON.readTree(d));
    }
    chunks.forEach(c -> assertEquals("chat.completion.chunk", c.path("object").asText()));
    assertEquals("assistant", chunks.get(0).at("/choices/0/delta/role").asText());
    StringBuilder arguments = new StringBuilder();
    int argumentChunks = 0;
    for (JsonNode c : chunks) {
      JsonNode call = c.at("/choices/0/delta/tool_calls/0");
      if (!call.isMissingNode()) {
        argumentChunks++;
        arguments.append(call.at("/function/arguments").asText());
      }
    }
    assertEquals(2, argumentChunks);
    assertEquals("{\"order\": \"42\"}", arguments.toString());
    assertEquals(
        "lookup", chunks.get(1).at("/choices/0/delta/tool_calls/0/function/name").asText());
    assertTrue(chunks.get(1).at("/choices/0/delta/tool_calls/0/id").asText().startsWith("call_0_"));
    assertEquals("tool_calls", chunks.get(3).at("/choices/0/finish_reason").asText());
    JsonNode usage = chunks.get(chunks.size() - 1);
    assertEquals(0, usage.path("choices").size());
    assertEquals(15, usage.at("/usage/total_tokens").asInt());
    assertEquals(1, chunks.stream().map(c -> c.path("id").asText()).distinct().count());
  }

  @Test
  void streamsTextInPiecesAndNoUsageUnlessAsked() throws Exception {
    HttpResponse<String> response =
        post(
            "{\"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"PLAN: lookup {}\"},"
                + " {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"c\","
                + " \"type\": \"function\", \"function\": {\"name\": \"lookup\", \"arguments\": \"{}\"}}]},"
                + " {\"role\": \"tool\", \"tool_call_id\": \"c\", \"content\": \"{}\"}]}");
    List<String> data = data(response.body());
    assertEquals("[DONE]", data.get(data.size() - 1));
    StringBuilder text = new StringBuilder();
    for (String d : data.subList(0, data.size() - 1)) {
      JsonNode c = JSON.readTree(d);
      assertTrue(c.has("choices") && c.path("choices").size() == 1, "no usage chunk: " + d);
      text.append(c.at("/choices/0/delta/content").asText(""));
    }
    assertEquals("DONE 1", text.toString());
    assertTrue(data.size() >= 5, "the text comes in pieces: " + data);
    assertEquals(
        "stop", JSON.readTree(data.get(data.size() - 2)).at("/choices/0/finish_reason").asText());
  }

  @Test
  void answersOneBodyWhenNotAskedToStream() throws Exception {
    HttpResponse<String> response =
        post(
            "{\"model\": \"fake-gpt\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
    assertEquals(200, response.statusCode());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
    JsonNode body = JSON.readTree(response.body());
    assertEquals("chat.completion", body.path("object").asText());
    assertEquals("fake-gpt", body.path("model").asText());
    assertEquals("ANSWER: hi", body.at("/choices/0/message/content").asText());
    assertEquals("stop", body.at("/choices/0/finish_reason").asText());
    assertEquals(15, body.at("/usage/total_tokens").asInt());
  }

  @Test
  void keepsTheConnectionAliveAfterAChunkedStream() throws Exception {
    String body = "{\"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
    String request =
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: "
            + body.getBytes(StandardCharsets.UTF_8).length
            + "\r\n\r\n"
            + body;
    URI base = URI.create(model.baseUrl());
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      for (int round = 0; round < 2; round++) {
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertEquals("HTTP/1.1 200 OK", in.readLine());
        List<String> headers = new ArrayList<>();
        for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
          headers.add(line.toLowerCase());
        }
        assertTrue(headers.contains("transfer-encoding: chunked"), headers.toString());
        // Chunks up to the last (size 0) and the empty line after it: the next request may follow.
        for (String size = in.readLine(); ; size = in.readLine()) {
          int length = Integer.parseInt(size.strip(), 16);
          char[] chunk = new char[length];
          for (int read = 0; read < length; ) {
            read += in.read(chunk, read, length - read);
          }
          assertEquals("", in.readLine());
          if (length == 0) {
            break;
          }
        }
      }
    }
  }

  @Test
  void refusesABodyThatIsNotJson() throws Exception {
    HttpResponse<String> response = post("{not json");
    assertEquals(400, response.statusCode());
    assertTrue(JSON.readTree(response.body()).at("/error/message").asText().contains("JSON"));
  }

  private static HttpResponse<String> post(String body) throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(model.baseUrl() + "/chat/completions"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The {@code data:} payloads of an SSE body, in order. */
  private static List<String> data(String sse) {
    List<String> data = new ArrayList<>();
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: ")) {
        data.add(line.substring(6));
      }
    }
    return data;
  }

  private static JsonNode messages(String conversation) {
    var array = JSON.createArrayNode();
    for (String m : conversation.strip().split(";")) {
      String[] parts = m.split(":", 2);
      var message = array.addObject().put("role", parts[0]);
      if (parts.length > 1) {
        message.put("content", parts[1]);
      }
    }
    return array;
  }
}
