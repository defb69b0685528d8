package io.agentruntime.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP tool the tools simulation's turns call: {@code POST /lookup} answers a small JSON result
 * at once, on loopback, so a turn's time is the runtime's own. JDK HttpServer with TCP_NODELAY
 * (without it each response waits for the client's delayed ACK, 40 ms).
 */
final class LocalToolServer implements AutoCloseable {

  private static final byte[] RESULT =
      "{\"order\": \"42\", \"status\": \"shipped\"}".getBytes(StandardCharsets.UTF_8);

  private final HttpServer server;
  private final ExecutorService pool;
  private final AtomicLong calls = new AtomicLong();

  private LocalToolServer(int port) throws IOException {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
    pool = Executors.newFixedThreadPool(4);
    server.setExecutor(pool);
    server.createContext("/lookup", this::lookup);
    server.start();
  }

  static LocalToolServer start(int port) {
    try {
      return new LocalToolServer(port);
    } catch (IOException e) {
      throw new IllegalStateException("the tool server could not bind 127.0.0.1:" + port, e);
    }
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/lookup";
  }

  long calls() {
    return calls.get();
  }

  private void lookup(HttpExchange exchange) throws IOException {
    try (exchange;
        InputStream body = exchange.getRequestBody();
        OutputStream out = exchange.getResponseBody()) {
      body.readAllBytes();
      boolean post = "POST".equals(exchange.getRequestMethod());
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(post ? 200 : 405, post ? RESULT.length : -1);
      if (post) {
        calls.incrementAndGet();
        out.write(RESULT);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
