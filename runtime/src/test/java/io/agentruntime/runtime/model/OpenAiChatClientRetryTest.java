package io.agentruntime.runtime.model;

import static io.agentruntime.runtime.model.ModelCalls.ask;
import static io.agentruntime.runtime.model.ModelCalls.failure;
import static io.agentruntime.runtime.model.ModelCalls.reply;
import static io.agentruntime.runtime.model.ModelCalls.settings;
import static io.agentruntime.runtime.testing.FakeOpenAiServer.status;
import static io.agentruntime.runtime.testing.FakeOpenAiServer.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.testing.FakeReply;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retries, backoff, Retry-After, timeouts and failure codes of the OpenAI-compatible client. */
class OpenAiChatClientRetryTest {

  private final FakeOpenAiServer server = FakeOpenAiServer.start();
  private final OpenAiChatClient client = new OpenAiChatClient(settings(server));

  @AfterEach
  void close() {
    server.close();
  }

  @Test
  void retriesAfter429ThenSucceeds() throws Exception {
    server.enqueue(status(429), text("ok"));

    assertEquals("ok", reply(client, ask("hi")).text());
    assertEquals(2, server.requests().size());
  }

  @Test
  void honoursRetryAfter() throws Exception {
    server.enqueue(status(429).retryAfter("1"), text("ok"));

    long start = System.nanoTime();
    reply(client, ask("hi"));
    long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();

    assertTrue(waited >= 950, "waited only " + waited + " ms");
  }

  @Test
  void capsALongRetryAfter() throws Exception {
    OpenAiChatClient capped =
        new OpenAiChatClient(
            settings(server)
                .withBackoff(
                    Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofMillis(300)));
    server.enqueue(status(429).retryAfter("3600"), text("ok"));

    long start = System.nanoTime();
    assertEquals("ok", reply(capped, ask("hi")).text());
    long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();

    assertTrue(waited >= 280 && waited < 3000, "waited " + waited + " ms");
  }

  @Test
  void retriesAfter503s() throws Exception {
    server.enqueue(status(503), status(502), text("back"));

    assertEquals("back", reply(client, ask("hi")).text());
    assertEquals(3, server.requests().size());
  }

  @Test
  void retriesADroppedConnection() throws Exception {
    server.enqueue(FakeReply.disconnect(), text("reconnected"));

    assertEquals("reconnected", reply(client, ask("hi")).text());
    assertEquals(2, server.requests().size());
  }

  @Test
  void badRequestIsAModelErrorWithoutRetry() {
    server.enqueue(status(400), text("never asked"));

    ModelException e = failure(client, ask("hi"));

    assertEquals("model_error", e.code());
    assertTrue(
        e.getMessage().contains("400") && e.getMessage().contains("fake error 400"),
        e.getMessage());
    assertEquals(1, server.requests().size());
  }

  @Test
  void exhaustedRetriesAreModelUnavailable() {
    server.enqueue(status(500), status(500), status(500), text("too late"));

    ModelException e = failure(client, ask("hi"));

    assertEquals("model_unavailable", e.code());
    assertTrue(e.getMessage().contains("500"), e.getMessage());
    assertEquals(3, server.requests().size());
  }

  @Test
  void aRetryThatWouldOverrunTheTimeoutIsNotAttempted() {
    OpenAiChatClient patient =
        new OpenAiChatClient(
            settings(server)
                .withBackoff(
                    Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(30)));
    server.enqueue(status(429).retryAfter("20"), text("too late"));

    long start = System.nanoTime();
    ModelException e = failure(patient, ask("hi", Duration.ofSeconds(2)));

    assertEquals("model_unavailable", e.code());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 1500);
    assertEquals(1, server.requests().size());
  }

  @Test
  void aServerThatNeverAnswersTimesOut() {
    server.enqueue(FakeReply.hang());

    long start = System.nanoTime();
    ModelException e = failure(client, ask("hi", Duration.ofMillis(400)));
    long took = Duration.ofNanos(System.nanoTime() - start).toMillis();

    assertEquals("model_timeout", e.code());
    assertTrue(took >= 350 && took < 3000, "took " + took + " ms");
  }

  @Test
  void aStreamThatStallsTimesOutAndForwardsNothingAfterwards() throws Exception {
    // Chunks at 0 (role), 2 s ("one "), 4 s ("two "), ...; the deadline falls between, a second
    // from each, so a busy machine delivering a chunk or firing the timeout late changes nothing.
    server.enqueue(
        FakeReply.textPieces("one ", "two ", "three").chunkDelay(Duration.ofMillis(2000)));
    List<String> deltas = new CopyOnWriteArrayList<>();

    ModelException e = failure(client.complete(ask("hi", Duration.ofMillis(3000)), deltas::add));

    assertEquals("model_timeout", e.code());
    assertTrue(eventually(() -> server.abandonedStreams() == 1), "the exchange was dropped");
    assertEquals(List.of("one "), deltas);
  }

  @Test
  void aCallTheCallerCancelsForwardsNothingMore() throws Exception {
    server.enqueue(
        FakeReply.textPieces("one ", "two ", "three").chunkDelay(Duration.ofMillis(300)));
    List<String> deltas = new CopyOnWriteArrayList<>();
    CountDownLatch first = new CountDownLatch(1);

    CompletableFuture<ModelReply> call =
        client
            .complete(
                ask("hi"),
                delta -> {
                  deltas.add(delta);
                  first.countDown();
                })
            .toCompletableFuture();
    assertTrue(first.await(5, TimeUnit.SECONDS));
    call.cancel(false);

    assertTrue(eventually(() -> server.abandonedStreams() == 1), "the exchange was dropped");
    assertEquals(List.of("one "), deltas);
  }

  @Test
  void aProviderTimeoutCapsTheRequestTimeout() {
    OpenAiChatClient strict =
        new OpenAiChatClient(settings(server).withTimeout(Duration.ofMillis(300)));
    server.enqueue(FakeReply.hang());

    long start = System.nanoTime();
    ModelException e = failure(strict, ask("hi", Duration.ofSeconds(30)));

    assertEquals("model_timeout", e.code());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 3000);
  }

  @Test
  void anUnreachableProviderIsUnavailableAfterItsAttempts() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    OpenAiChatClient unreachable =
        new OpenAiChatClient(settings("http://127.0.0.1:" + port + "/v1"));

    ModelException e = failure(unreachable, ask("hi"));

    assertEquals("model_unavailable", e.code());
    assertTrue(e.getMessage().contains("3 attempt"), e.getMessage());
  }

  private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < until) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }
}
