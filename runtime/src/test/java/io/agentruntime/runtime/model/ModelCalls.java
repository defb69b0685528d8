package io.agentruntime.runtime.model;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.agentruntime.runtime.testing.FakeOpenAiServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Test helpers: settings pointed at a fake server, requests, and waiting for outcomes. */
final class ModelCalls {

  private ModelCalls() {}

  static OpenAiSettings settings(FakeOpenAiServer server) {
    return settings(server.baseUrl());
  }

  static OpenAiSettings settings(String baseUrl) {
    return new OpenAiSettings(
        "test",
        baseUrl,
        "gpt-test",
        null,
        Duration.ofSeconds(2),
        Duration.ofSeconds(20),
        3,
        Duration.ofMillis(20),
        Duration.ofMillis(100),
        Duration.ofSeconds(2));
  }

  static ModelRequest ask(String userMessage) {
    return ask(userMessage, Duration.ofSeconds(10));
  }

  static ModelRequest ask(String userMessage, Duration timeout) {
    return new ModelRequest("", List.of(ModelMessage.user(userMessage)), List.of(), timeout);
  }

  static ModelReply reply(ModelClient client, ModelRequest request) throws Exception {
    return client.complete(request, delta -> {}).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** The ModelException a call fails with. */
  static ModelException failure(ModelClient client, ModelRequest request) {
    return failure(client.complete(request, delta -> {}));
  }

  static ModelException failure(CompletionStage<ModelReply> call) {
    ExecutionException e =
        assertThrows(
            ExecutionException.class, () -> call.toCompletableFuture().get(20, TimeUnit.SECONDS));
    return assertInstanceOf(ModelException.class, e.getCause());
  }
}
