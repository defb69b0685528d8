package io.agentruntime.runtime.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An OpenAI-compatible chat completions server for tests, on 127.0.0.1 and a free port. It answers
 * {@code POST .../chat/completions} on the real wire format: Server-Sent Events when the request
 * says {@code stream: true} (content and tool-call deltas split over chunks, usage in a last chunk
 * when {@code stream_options.include_usage} asks for it, then {@code data: [DONE]}), one JSON body
 * otherwise. Each request takes the next {@link FakeReply} of the queue the test filled; with the
 * queue empty, the default reply answers ({@code fake: <last user message>} unless set with {@link
 * #whenIdle}). Every request is recorded.
 *
 * <pre>{@code
 * try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
 *   server.enqueue(FakeOpenAiServer.status(429).retryAfter("1"), FakeOpenAiServer.text("hi"));
 *   ... base URL: server.baseUrl()
 * }
 * }</pre>
 */
public final class FakeOpenAiServer implements AutoCloseable {

  /** One request as received: the path, its headers (names case-insensitive) and JSON body. */
  public record Recorded(String path, Map<String, String> headers, JsonNode body) {
    public String header(String name) {
      return headers.get(name);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;
  private final Queue<FakeReply> replies = new ConcurrentLinkedQueue<>();
  private final List<Recorded> recorded = new CopyOnWriteArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final AtomicInteger ids = new AtomicInteger();
  private final AtomicInteger abandoned = new AtomicInteger();
  private volatile Function<JsonNode, FakeReply> whenIdle =
      request -> FakeReply.text("fake: " + lastUserMessage(request));

  private FakeOpenAiServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  public static FakeOpenAiServer start() {
    try {
      // The JDK server writes a response's headers and body apart; with Nagle on, the body waits
      // for
      // the client's delayed ACK (40 ms on Linux), which a real server would not add to every call.
      System.setProperty("sun.net.httpserver.nodelay", "true");
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      ExecutorService executor =
          Executors.newCachedThreadPool(
              task -> {
                Thread thread = new Thread(task, "fake-openai-server");
                thread.setDaemon(true);
                return thread;
              });
      FakeOpenAiServer fake = new FakeOpenAiServer(server, executor);
      server.createContext("/", fake::handle);
      server.setExecutor(executor);
      server.start();
      return fake;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The base URL a client appends {@code /chat/completions} to, e.g. http://127.0.0.1:4711/v1. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  public FakeOpenAiServer enqueue(FakeReply... next) {
    replies.addAll(List.of(next));
    return this;
  }

  /** What to answer when the queue is empty, from the request's JSON body. */
  public FakeOpenAiServer whenIdle(Function<JsonNode, FakeReply> reply) {
    this.whenIdle = reply;
    return this;
  }

  /** The JSON bodies received so far, in order. */
  public List<JsonNode> requests() {
    return recorded.stream().map(Recorded::body).toList();
  }

  public List<Recorded> recorded() {
    return List.copyOf(recorded);
  }

  /** Drops the replies still queued. */
  public void clearReplies() {
    replies.clear();
  }

  public int pendingReplies() {
    return replies.size();
  }

  /** How many streams the client went away from before they ended (a write failed). */
  public int abandonedStreams() {
    return abandoned.get();
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    executor.shutdownNow();
  }

  public static FakeReply text(String text) {
    return FakeReply.text(text);
  }

  public static FakeReply toolCalls(FakeReply.Call... calls) {
    return FakeReply.toolCalls(calls);
  }

  public static FakeReply.Call call(String id, String name, String arguments) {
    return FakeReply.call(id, name, arguments);
  }

  public static FakeReply status(int status) {
    return FakeReply.status(status);
  }

  /** The content of the last user message of a chat completions request body ("" if none). */
  public static String lastUserMessage(JsonNode request) {
    String last = "";
    for (JsonNode message : request.path("messages")) {
      if ("user".equals(message.path("role").asText())) {
        last = message.path("content").asText("");
      }
    }
    return last;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      JsonNode body;
      try {
        body = JSON.readTree(exchange.getRequestBody().readAllBytes());
      } catch (IOException e) {
        body = null;
      }
      if (!"POST".equals(exchange.getRequestMethod())
          || body == null
          || !body.isObject()
          || !exchange.getRequestURI().getPath().endsWith("/chat/completions")) {
        exchange.sendResponseHeaders(body == null ? 400 : 404, -1);
        return;
      }
      record(exchange, body);
      FakeReply reply = replies.poll();
      answer(exchange, body, reply != null ? reply : whenIdle.apply(body));
    }
  }

  private void record(HttpExchange exchange, JsonNode body) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
    recorded.add(new Recorded(exchange.getRequestURI().getPath(), headers, body));
  }

  private void answer(HttpExchange exchange, JsonNode request, FakeReply reply) throws IOException {
    if (!pause(reply.delay) || reply.kind == FakeReply.Kind.HANG && !pause(Duration.ofDays(1))) {
      return;
    }
    if (reply.kind == FakeReply.Kind.DISCONNECT) {
      return; // closing the exchange before any header drops the connection
    }
    reply.headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
    FakeChatWire wire = new FakeChatWire("chatcmpl-fake-" + ids.incrementAndGet(), request);
    long[] usage = reply.usage != null ? reply.usage : usage(request, reply);
    if (reply.kind == FakeReply.Kind.RAW_STREAM) {
      send(exchange, 200, "text/event-stream", reply.errorBody.getBytes(UTF_8));
    } else if (reply.kind == FakeReply.Kind.ERROR) {
      send(exchange, reply.status, "application/json", reply.errorBody.getBytes(UTF_8));
    } else if (!request.path("stream").asBoolean(false) || reply.nonStreaming) {
      send(exchange, 200, "application/json", wire.completion(reply, usage));
    } else {
      boolean includeUsage = request.path("stream_options").path("include_usage").asBoolean();
      stream(exchange, wire.chunks(reply, usage, includeUsage), reply.chunkDelay);
    }
  }

  private void stream(HttpExchange exchange, List<String> chunks, Duration chunkDelay)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    try {
      for (int i = 0; i < chunks.size(); i++) {
        if (i > 0 && !pause(chunkDelay)) {
          return;
        }
        out.write(("data: " + chunks.get(i) + "\n\n").getBytes(UTF_8));
        out.flush();
      }
      out.write("data: [DONE]\n\n".getBytes(UTF_8));
      out.flush();
    } catch (IOException clientLeft) {
      abandoned.incrementAndGet();
      throw clientLeft;
    }
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    exchange.getResponseBody().write(body);
  }

  /** Waits, unless the server closes first (then false). */
  private boolean pause(Duration wait) {
    if (wait.isZero()) {
      return closed.getCount() > 0;
    }
    try {
      return !closed.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static long[] usage(JsonNode request, FakeReply reply) {
    long prompt = 0;
    for (JsonNode message : request.path("messages")) {
      prompt += words(message.path("content").asText(""));
    }
    long completion = words(reply.text());
    for (FakeReply.Call call : reply.calls) {
      completion += 1 + words(call.arguments());
    }
    return new long[] {prompt, completion};
  }

  private static long words(String text) {
    return text.isBlank() ? 0 : text.strip().split("\\s+").length;
  }
}
