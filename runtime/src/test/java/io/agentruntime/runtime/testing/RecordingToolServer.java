package io.agentruntime.runtime.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP tool server for tests, on a free port of 127.0.0.1. It records every call (headers that
 * matter and the arguments) and answers as scripted per path; an unscripted path answers 200 with
 * {@code {"echo": <arguments>}}. Replies given as a sequence are used in turn, the last one
 * repeating: {@code script("/t", Reply.status(500, "down"), Reply.json("{\"ok\":true}"))} fails the
 * first call and succeeds on every retry.
 *
 * <pre>{@code
 * try (RecordingToolServer tools = RecordingToolServer.start()) {
 *   tools.script("/send_email", Reply.json("{\"sent\":true}"));
 *   ... connect a tool with url tools.url("/send_email") ...
 *   tools.awaitCalls("/send_email", 1, Duration.ofSeconds(5));
 *   assertEquals("key-1", tools.calls("/send_email").get(0).idempotencyKey());
 * }
 * }</pre>
 */
public final class RecordingToolServer implements AutoCloseable {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * One call as the tool saw it; {@code arguments} is null when the body was not {"arguments":
   * ...}.
   */
  public record RecordedCall(
      String method,
      String path,
      String idempotencyKey,
      String session,
      String authorization,
      String contentType,
      JsonNode arguments,
      String body,
      Instant at) {}

  /**
   * An answer: status, content type (null for none), body (null: an endless one, see {@link
   * #endless()}), after a delay ({@link #hang()} never answers), with a Content-Length or, when
   * {@code chunked}, without one.
   */
  public record Reply(
      int status, String contentType, byte[] body, Duration delay, boolean chunked) {

    public static Reply json(String json) {
      return json(200, json);
    }

    public static Reply json(int status, String json) {
      return new Reply(
          status, "application/json", json.getBytes(StandardCharsets.UTF_8), Duration.ZERO, false);
    }

    public static Reply text(int status, String text) {
      return new Reply(
          status,
          "text/plain; charset=utf-8",
          text.getBytes(StandardCharsets.UTF_8),
          Duration.ZERO,
          false);
    }

    /** A body with no Content-Type header at all. */
    public static Reply untyped(int status, String body) {
      return new Reply(status, null, body.getBytes(StandardCharsets.UTF_8), Duration.ZERO, false);
    }

    /** A redirect to {@code location}. */
    public static Reply redirect(String location) {
      return new Reply(
          302, "text/plain", location.getBytes(StandardCharsets.UTF_8), Duration.ZERO, false);
    }

    public static Reply status(int status, String body) {
      return text(status, body);
    }

    /** A JSON body of about {@code bytes} bytes: {"data": "xxxx..."}. */
    public static Reply largeJson(int bytes) {
      return json("{\"data\":\"" + "x".repeat(Math.max(0, bytes - 11)) + "\"}");
    }

    /** Holds the request open until the server closes. */
    public static Reply hang() {
      return new Reply(200, "application/json", new byte[0], null, false);
    }

    /** 200 with a body that never ends: "[0,0,0,... streamed until the client hangs up. */
    public static Reply endless() {
      return new Reply(200, "application/json", null, Duration.ZERO, true);
    }

    public Reply after(Duration wait) {
      return new Reply(status, contentType, body, wait, chunked);
    }

    /** The same answer streamed without a Content-Length. */
    public Reply streamed() {
      return new Reply(status, contentType, body, delay, true);
    }
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final List<RecordedCall> calls = new CopyOnWriteArrayList<>();
  private final Map<String, List<Reply>> scripts = new ConcurrentHashMap<>();
  private final Map<String, Integer> answered = new ConcurrentHashMap<>();

  private RecordingToolServer(HttpServer server) {
    this.server = server;
  }

  public static RecordingToolServer start() {
    try {
      // The JDK server writes a response's headers and body apart; with Nagle on, the body waits
      // for
      // the client's delayed ACK (40 ms on Linux), which a real server would not add to every call.
      System.setProperty("sun.net.httpserver.nodelay", "true");
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      RecordingToolServer tools = new RecordingToolServer(server);
      server.createContext("/", tools::handle);
      server.setExecutor(tools.threads);
      server.start();
      return tools;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:<port><path>}. */
  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** Answers the calls to {@code path} with these replies in turn, the last one repeating. */
  public void script(String path, Reply... replies) {
    scripts.put(path, List.of(replies));
    answered.remove(path);
  }

  public List<RecordedCall> calls() {
    return List.copyOf(calls);
  }

  public List<RecordedCall> calls(String path) {
    return calls.stream().filter(c -> c.path().equals(path)).toList();
  }

  public int count(String path) {
    return calls(path).size();
  }

  /**
   * Waits until {@code path} has been called at least {@code n} times; false if it was not in time.
   */
  public boolean awaitCalls(String path, int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count(path) < n) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  public void clear() {
    calls.clear();
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    threads.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String path = exchange.getRequestURI().getPath();
      calls.add(record(exchange, path, body));
      Reply reply = next(path, body);
      if (reply.delay() == null) {
        closing.await();
        return;
      }
      if (!reply.delay().isZero()
          && closing.await(reply.delay().toMillis(), TimeUnit.MILLISECONDS)) {
        return;
      }
      if (reply.contentType() != null) {
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
      }
      if (reply.status() == 302) {
        exchange
            .getResponseHeaders()
            .set("Location", new String(reply.body(), StandardCharsets.UTF_8));
      }
      if (reply.body() == null) {
        exchange.sendResponseHeaders(reply.status(), 0);
        streamForever(exchange.getResponseBody());
        return;
      }
      long length = reply.chunked() ? 0 : reply.body().length == 0 ? -1 : reply.body().length;
      exchange.sendResponseHeaders(reply.status(), length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(reply.body());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // The client went away (a timeout, a cancelled call): nothing to answer.
    }
  }

  /** Writes until the client goes away (an IOException ends it) or the server closes. */
  private void streamForever(OutputStream out) throws IOException {
    byte[] chunk = "0,".repeat(4096).getBytes(StandardCharsets.UTF_8);
    out.write('[');
    while (closing.getCount() > 0) {
      out.write(chunk);
      out.flush();
    }
  }

  private Reply next(String path, byte[] body) {
    List<Reply> replies = scripts.get(path);
    if (replies == null || replies.isEmpty()) {
      JsonNode args = arguments(body);
      return Reply.json("{\"echo\":" + (args == null ? "null" : args.toString()) + "}");
    }
    int n = answered.merge(path, 1, Integer::sum) - 1;
    return replies.get(Math.min(n, replies.size() - 1));
  }

  private static RecordedCall record(HttpExchange exchange, String path, byte[] body) {
    var headers = exchange.getRequestHeaders();
    return new RecordedCall(
        exchange.getRequestMethod(),
        path,
        headers.getFirst("Idempotency-Key"),
        headers.getFirst("X-Agent-Session"),
        headers.getFirst("Authorization"),
        headers.getFirst("Content-Type"),
        arguments(body),
        new String(body, StandardCharsets.UTF_8),
        Instant.now());
  }

  private static JsonNode arguments(byte[] body) {
    try {
      JsonNode root = MAPPER.readTree(body);
      return root != null && root.has("arguments") ? root.get("arguments") : null;
    } catch (IOException e) {
      return null;
    }
  }
}
