package io.agentruntime.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The model the model-turns simulation's sessions call: an OpenAI-compatible {@code POST
 * /v1/chat/completions} on loopback that answers at once, so a turn's time is the runtime's own
 * plus the wire a real model has. It speaks the real format: with {@code "stream": true}
 * Server-Sent Events of {@code chat.completion.chunk}s (the role, then content or tool-call deltas
 * with the arguments split in two, the finish reason, a usage chunk when {@code
 * stream_options.include_usage} asks for it, then {@code data: [DONE]}), chunked on a kept-alive
 * connection as hosted model APIs do; otherwise one {@code chat.completion} body.
 *
 * <p>It decides as the peer harness's FakeModel does ({@code ../shared/peers/harness.py}), so both
 * measure the same work: a last user message {@code PLAN: tool {json} | tool {json}} makes it call
 * those tools one step at a time, and once it has seen their outcomes it answers {@code DONE n} (n
 * the outcomes it saw in this turn); anything else it answers {@code ANSWER: <text>}. JDK
 * HttpServer with TCP_NODELAY, like {@link LocalToolServer}.
 */
final class FakeModelServer implements AutoCloseable {

  static final String PATH = "/v1/chat/completions";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PLAN = Pattern.compile("PLAN:(.*)", Pattern.DOTALL);

  private final HttpServer server;
  private final ExecutorService pool;
  private final AtomicLong streamed = new AtomicLong();
  private final AtomicLong whole = new AtomicLong();

  private FakeModelServer(int port) throws IOException {
    // Else the JDK server's headers and body go out apart and each reply waits for the client's
    // delayed ACK (40 ms). Read once, when the first server of this JVM starts.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
    pool = Executors.newFixedThreadPool(4);
    server.setExecutor(pool);
    server.createContext(PATH, this::complete);
    server.start();
  }

  static FakeModelServer start(int port) {
    try {
      return new FakeModelServer(port);
    } catch (IOException e) {
      throw new IllegalStateException("the fake model could not bind 127.0.0.1:" + port, e);
    }
  }

  /** What a node's {@code AGENT_RUNTIME_MODEL_BASE_URL} points at. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** Calls answered as a stream of chunks. */
  long streamed() {
    return streamed.get();
  }

  /** Calls answered with one body. */
  long whole() {
    return whole.get();
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }

  // ---- the decision, as the peer harness makes it
  // ------------------------------------------------

  /**
   * The assistant message for a conversation: a tool call while the plan of the last user message
   * has steps without an outcome, then {@code DONE n}; {@code ANSWER: ...} without a plan.
   */
  static ObjectNode decide(JsonNode messages) {
    int lastUser = -1;
    for (int i = 0; i < messages.size(); i++) {
      if ("user".equals(messages.get(i).path("role").asText())) {
        lastUser = i;
      }
    }
    String user = lastUser < 0 ? "" : text(messages.get(lastUser).path("content"));
    int outcomes = 0;
    for (int i = lastUser + 1; i < messages.size(); i++) {
      if ("tool".equals(messages.get(i).path("role").asText())) {
        outcomes++;
      }
    }
    ObjectNode message = JSON.createObjectNode().put("role", "assistant");
    Matcher plan = PLAN.matcher(user);
    if (!plan.find()) {
      return message.put("content", "ANSWER: " + user.substring(0, Math.min(200, user.length())));
    }
    List<String[]> steps = new ArrayList<>();
    for (String part : plan.group(1).split("\\|")) {
      String step = part.strip();
      if (!step.isEmpty()) {
        int space = step.indexOf(' ');
        String args = space < 0 ? "" : step.substring(space + 1).strip();
        steps.add(
            new String[] {
              space < 0 ? step : step.substring(0, space), args.isEmpty() ? "{}" : args
            });
      }
    }
    if (outcomes < steps.size()) {
      String[] step = steps.get(outcomes);
      message.putNull("content");
      ObjectNode call = message.putArray("tool_calls").addObject();
      call.put("id", "call_" + outcomes + "_" + hex(10)).put("type", "function");
      call.putObject("function").put("name", step[0]).put("arguments", step[1]);
      return message;
    }
    return message.put("content", "DONE " + outcomes);
  }

  /** A message's content: a string, or the text of its parts. */
  private static String text(JsonNode content) {
    if (content.isArray()) {
      List<String> parts = new ArrayList<>();
      content.forEach(part -> parts.add(part.path("text").asText("")));
      return String.join(" ", parts);
    }
    return content.isTextual() ? content.asText() : "";
  }

  // ---- the wire
  // ------------------------------------------------------------------------------------

  private void complete(HttpExchange exchange) throws IOException {
    try (exchange;
        InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readAllBytes();
      if (!"POST".equals(exchange.getRequestMethod())) {
        error(exchange, 405, "method not allowed");
        return;
      }
      if (!exchange.getRequestURI().getPath().equals(PATH)) {
        error(exchange, 404, "no such endpoint");
        return;
      }
      JsonNode request;
      try {
        request = JSON.readTree(body);
      } catch (JsonProcessingException e) {
        error(exchange, 400, "the body is not JSON: " + e.getOriginalMessage());
        return;
      }
      if (request == null || !request.path("messages").isArray()) {
        error(exchange, 400, "messages: an array is required");
        return;
      }
      ObjectNode message = decide(request.get("messages"));
      String model = request.path("model").asText("fake");
      if (request.path("stream").asBoolean(false)) {
        streamed.incrementAndGet();
        stream(
            exchange,
            model,
            message,
            request.path("stream_options").path("include_usage").asBoolean());
      } else {
        whole.incrementAndGet();
        whole(exchange, model, message);
      }
    }
  }

  private static void whole(HttpExchange exchange, String model, ObjectNode message)
      throws IOException {
    ObjectNode reply = head("chat.completion", "chatcmpl-" + hex(12), model);
    reply
        .putArray("choices")
        .addObject()
        .put("index", 0)
        .<ObjectNode>set("message", message)
        .put("finish_reason", finishReason(message));
    reply.set("usage", usage());
    byte[] bytes = JSON.writeValueAsBytes(reply);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** One SSE event a chunk, each flushed as an HTTP chunk of its own, as a model streams. */
  private static void stream(
      HttpExchange exchange, String model, ObjectNode message, boolean includeUsage)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0); // 0: chunked, the connection stays open afterwards
    String id = "chatcmpl-" + hex(12);
    try (OutputStream out = exchange.getResponseBody()) {
      send(out, chunk(id, model, delta().put("role", "assistant").put("content", ""), null));
      JsonNode calls = message.path("tool_calls");
      if (calls.isArray() && !calls.isEmpty()) {
        for (int i = 0; i < calls.size(); i++) {
          JsonNode call = calls.get(i);
          String args = call.path("function").path("arguments").asText();
          int half = args.length() / 2;
          ObjectNode first = delta();
          ObjectNode firstCall = first.putArray("tool_calls").addObject().put("index", i);
          firstCall.put("id", call.path("id").asText()).put("type", "function");
          firstCall
              .putObject("function")
              .put("name", call.path("function").path("name").asText())
              .put("arguments", args.substring(0, half));
          send(out, chunk(id, model, first, null));
          ObjectNode rest = delta();
          rest.putArray("tool_calls")
              .addObject()
              .put("index", i)
              .putObject("function")
              .put("arguments", args.substring(half));
          send(out, chunk(id, model, rest, null));
        }
      } else {
        String text = message.path("content").asText("");
        for (int i = 0; i < text.length(); i += 4) {
          send(
              out,
              chunk(
                  id,
                  model,
                  delta().put("content", text.substring(i, Math.min(text.length(), i + 4))),
                  null));
        }
      }
      send(out, chunk(id, model, delta(), finishReason(message)));
      if (includeUsage) {
        ObjectNode last = head("chat.completion.chunk", id, model);
        last.putArray("choices");
        last.set("usage", usage());
        send(out, last);
      }
      out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }

  private static void send(OutputStream out, ObjectNode chunk) throws IOException {
    out.write(
        ("data: " + JSON.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static ObjectNode chunk(String id, String model, ObjectNode delta, String finishReason) {
    ObjectNode chunk = head("chat.completion.chunk", id, model);
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
    choice.set("delta", delta);
    if (finishReason == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finishReason);
    }
    return chunk;
  }

  private static ObjectNode head(String object, String id, String model) {
    return JSON.createObjectNode()
        .put("id", id)
        .put("object", object)
        .put("created", System.currentTimeMillis() / 1000)
        .put("model", model);
  }

  private static ObjectNode delta() {
    return JSON.createObjectNode();
  }

  private static ObjectNode usage() {
    return JSON.createObjectNode()
        .put("prompt_tokens", 10)
        .put("completion_tokens", 5)
        .put("total_tokens", 15);
  }

  private static String finishReason(JsonNode message) {
    return message.path("tool_calls").isArray() ? "tool_calls" : "stop";
  }

  private static void error(HttpExchange exchange, int status, String text) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("error").put("message", text).put("type", "invalid_request_error");
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String hex(int length) {
    return UUID.randomUUID().toString().replace("-", "").substring(0, length);
  }
}
