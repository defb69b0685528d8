package io.agentruntime.runtime.model;

import static io.agentruntime.runtime.model.ModelCalls.ask;
import static io.agentruntime.runtime.model.ModelCalls.failure;
import static io.agentruntime.runtime.model.ModelCalls.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.testing.FakeReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A reply larger than max-reply-size fails the call at once, streamed or whole, and is not retried.
 */
class OpenAiChatClientLimitTest {

  private static final int LIMIT = 4096;

  private final FakeOpenAiServer server = FakeOpenAiServer.start();
  private final OpenAiSettings base = ModelCalls.settings(server);
  private final OpenAiChatClient client =
      new OpenAiChatClient(
          new OpenAiSettings(
              base.name(),
              base.baseUrl(),
              base.model(),
              null,
              base.connectTimeout(),
              base.timeout(),
              base.maxAttempts(),
              base.initialBackoff(),
              base.maxBackoff(),
              base.retryAfterCap(),
              LIMIT));

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aStreamedReplyOverTheLimitFailsTheCallWithoutARetry() {
    server.enqueue(FakeReply.text("word ".repeat(2000)));

    ModelException e = failure(client, ask("talk a lot"));

    assertEquals("model_error", e.code());
    assertTrue(e.getMessage().contains("max-reply-size"), e.getMessage());
    assertEquals(1, server.requests().size(), "a reply too large is not asked for again");
  }

  @Test
  void aWholeReplyOverTheLimitFailsToo() {
    server.enqueue(FakeReply.text("word ".repeat(2000)).nonStreaming());

    ModelException e = failure(client, ask("talk a lot"));

    assertTrue(e.getMessage().contains("max-reply-size"), e.getMessage());
  }

  @Test
  void aReplyWithinTheLimitIsRead() throws Exception {
    server.enqueue(FakeReply.text("short"));

    assertEquals("short", reply(client, ask("hi")).text());
  }
}
