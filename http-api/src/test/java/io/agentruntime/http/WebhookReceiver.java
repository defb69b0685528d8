package io.agentruntime.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * An HTTP server on 127.0.0.1 that takes webhook deliveries: it keeps each request (its webhook
 * headers and raw body) and answers the status {@code answers} gives for it.
 */
final class WebhookReceiver implements AutoCloseable {

  record Received(String id, String timestamp, String signature, String body) {
    Map<String, String> headers() {
      return Map.of(
          "webhook-id", id, "webhook-timestamp", timestamp, "webhook-signature", signature);
    }
  }

  private final HttpServer server;
  final List<Received> received = new CopyOnWriteArrayList<>();

  WebhookReceiver(IntSupplier answers) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hooks",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          var h = exchange.getRequestHeaders();
          received.add(
              new Received(
                  h.getFirst("webhook-id"),
                  h.getFirst("webhook-timestamp"),
                  h.getFirst("webhook-signature"),
                  new String(body, StandardCharsets.UTF_8)));
          exchange.sendResponseHeaders(answers.getAsInt(), -1);
          exchange.close();
        });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
  }

  /** The requests {@code which} accepts, once there are {@code n}; fails after {@code max}. */
  List<Received> await(Predicate<Received> which, int n, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      List<Received> found = new ArrayList<>(received.stream().filter(which).toList());
      if (found.size() >= n) {
        return found;
      } else if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + n + " deliveries, got " + found + " of " + received);
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
