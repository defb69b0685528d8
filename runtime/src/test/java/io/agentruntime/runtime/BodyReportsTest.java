package io.agentruntime.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.RecordingToolServer.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BodyReportsTest {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static RecordingToolServer server;

  @BeforeAll
  static void start() {
    server = RecordingToolServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aBodyIsReportedOnceWithItsStatusAndTheResponseStillArrives() throws Exception {
    server.script("/ok", Reply.json(201, "{\"order\": 42}"));
    AtomicInteger mapped = new AtomicInteger();
    List<String> reported = new CopyOnWriteArrayList<>();
    CompletableFuture<String> first = new CompletableFuture<>();
    // A mapping subscriber maps again on every getBody(): the report must not make it map twice.
    HttpResponse.BodyHandler<String> handler =
        info ->
            BodySubscribers.mapping(
                BodySubscribers.ofString(StandardCharsets.UTF_8),
                body -> body + "#" + mapped.incrementAndGet());

    HttpResponse<String> response =
        CLIENT
            .sendAsync(
                post("/ok"),
                BodyReports.reporting(
                    handler,
                    (info, body) -> {
                      reported.add(info.statusCode() + " " + body);
                      first.complete(body);
                    }))
            .get(10, TimeUnit.SECONDS);

    assertEquals("{\"order\": 42}#1", first.get(10, TimeUnit.SECONDS));
    assertEquals("{\"order\": 42}#1", response.body());
    assertEquals(List.of("201 {\"order\": 42}#1"), reported);
    assertEquals(1, mapped.get());
  }

  @Test
  void aBodyThatFailsToBeReadIsNotReportedAndTheResponseFails() throws Exception {
    server.script("/broken", Reply.json("not what the handler wants"));
    List<String> reported = new CopyOnWriteArrayList<>();
    HttpResponse.BodyHandler<String> handler =
        info ->
            BodySubscribers.mapping(
                BodySubscribers.ofString(StandardCharsets.UTF_8),
                body -> {
                  throw new IllegalStateException("unreadable");
                });

    CompletableFuture<HttpResponse<String>> response =
        CLIENT.sendAsync(
            post("/broken"), BodyReports.reporting(handler, (info, body) -> reported.add(body)));

    assertTrue(response.handle((r, failure) -> failure != null).get(10, TimeUnit.SECONDS));
    assertFalse(reported.iterator().hasNext());
  }

  private static HttpRequest post(String path) {
    return HttpRequest.newBuilder(URI.create(server.url(path)))
        .POST(HttpRequest.BodyPublishers.ofString("{}"))
        .build();
  }
}
