package io.agentruntime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.Headers;
import com.openai.models.webhooks.UnwrapWebhookEvent;
import com.openai.models.webhooks.WebhookVerificationParams;
import com.sun.net.httpserver.HttpServer;
import io.agentruntime.http.Api.Response;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;

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

  /**
   * An endpoint registered for this receiver: the answer that made it (its id, its secret shown
   * once) and the official SDK holding that secret, which verifies the deliveries.
   */
  record Endpoint(Response made, OpenAIClient sdk) {
    String id() {
      return made.json().get("id").asText();
    }

    /** The SDK's event, once its {@code unwrap} verified the delivery's signature. */
    UnwrapWebhookEvent unwrap(Received r) {
      return WebhookReceiver.unwrap(sdk, r);
    }

    /** The delivery's body, once the SDK verified its signature. */
    JsonNode verified(Received r) {
      return WebhookReceiver.verified(sdk, r);
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

  /**
   * Registers an endpoint for this receiver over HTTP as {@code key}, subscribed to {@code events},
   * and checks it was made.
   */
  Endpoint register(Api api, String key, String... events) {
    Response made = registerAt(api, key, url(), events);
    return new Endpoint(made, sdk(made.json().get("secret").asText()));
  }

  /** Registers an endpoint at any {@code url} (one nobody listens at, say); checks it was made. */
  static Response registerAt(Api api, String key, String url, String... events) {
    String types =
        Stream.of(events).map(e -> "\"" + e + "\"").collect(Collectors.joining(", ", "[", "]"));
    Response made =
        api.post(key, "/v1/webhooks", "{\"url\": \"" + url + "\", \"events\": " + types + "}");
    assertEquals(201, made.status(), made.toString());
    return made;
  }

  /** The official SDK, verifying signatures made with {@code secret}. */
  static OpenAIClient sdk(String secret) {
    return OpenAIOkHttpClient.builder().apiKey("unused").webhookSecret(secret).build();
  }

  /** The delivery's body, once {@code sdk} verified its signature (throws if it does not). */
  static JsonNode verified(OpenAIClient sdk, Received r) {
    unwrap(sdk, r);
    try {
      return Api.JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The SDK's event, once {@code sdk} verified the delivery's signature (throws if it does not).
   */
  static UnwrapWebhookEvent unwrap(OpenAIClient sdk, Received r) {
    Headers.Builder headers = Headers.builder();
    r.headers().forEach(headers::put);
    return sdk.webhooks()
        .unwrap(
            WebhookVerificationParams.builder().payload(r.body()).headers(headers.build()).build());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
