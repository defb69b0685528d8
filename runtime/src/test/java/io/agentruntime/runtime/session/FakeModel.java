package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.model.ModelClient;
import io.agentruntime.runtime.model.ModelException;
import io.agentruntime.runtime.model.ModelMessage;
import io.agentruntime.runtime.model.ModelProviders;
import io.agentruntime.runtime.model.ModelReply;
import io.agentruntime.runtime.model.ModelRequest;
import io.agentruntime.runtime.model.ToolCall;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The {@code default} model provider of the session tests: it records every request and answers
 * only when the test says so, so a turn stays exactly where the test wants it. A request nobody
 * answers never completes, as a model that hangs would.
 */
final class FakeModel implements ModelClient, ModelProviders {

  /** One request to the model and the answer the test gives it. */
  record Call(
      ModelRequest request, CompletableFuture<ModelReply> future, Consumer<String> onDelta) {

    /** Whether the caller listened for the answer's text as it streams. */
    boolean streamed() {
      return onDelta != null;
    }

    /** A piece of the answer's text, streamed to the caller. */
    void delta(String text) {
      assertTrue(streamed(), "the caller did not ask for a stream");
      onDelta.accept(text);
    }

    void answer(String text) {
      reply(new ModelReply(text, List.of(), 10, 5));
    }

    void callTools(ToolCall... calls) {
      reply(new ModelReply("", List.of(calls), 10, 5));
    }

    void reply(ModelReply reply) {
      assertTrue(future.complete(reply), "this model call was answered before");
    }

    void fail(String code, String message) {
      assertTrue(
          future.completeExceptionally(new ModelException(code, message)), "answered before");
    }

    /**
     * The conversation the model was shown, as role: content lines (tool messages name their call).
     */
    List<String> conversation() {
      return request.messages().stream().map(FakeModel::line).toList();
    }

    List<String> offeredTools() {
      return request.tools().stream().map(t -> t.name()).sorted().toList();
    }
  }

  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private volatile boolean configured = true;

  /** Takes the provider away, as a server restarted without it would. */
  void unconfigure() {
    configured = false;
  }

  static ToolCall call(String id, String name, String argumentsJson) {
    return ToolCall.fromRaw(id, name, argumentsJson);
  }

  @Override
  public CompletionStage<ModelReply> complete(ModelRequest request, Consumer<String> onDelta) {
    Call call = new Call(request, new CompletableFuture<>(), onDelta);
    calls.add(call);
    return call.future();
  }

  @Override
  public Optional<ModelClient> provider(String name) {
    return configured && "default".equals(name) ? Optional.of(this) : Optional.empty();
  }

  @Override
  public Set<String> names() {
    return configured ? Set.of("default") : Set.of();
  }

  List<Call> calls() {
    return List.copyOf(calls);
  }

  int callCount() {
    return calls.size();
  }

  /** The latest request, which must be the {@code n}th (1-based) the model ever got. */
  Call call(int n) {
    assertEquals(n, calls.size(), () -> "model calls so far: " + calls.size());
    return calls.get(n - 1);
  }

  /** The latest request. */
  Call last() {
    assertTrue(!calls.isEmpty(), "the model was never asked");
    return calls.get(calls.size() - 1);
  }

  private static String line(ModelMessage m) {
    return switch (m.role()) {
      case "tool" -> "tool " + m.toolCallId() + ": " + m.content();
      case "assistant" ->
          m.toolCalls().isEmpty()
              ? "assistant: " + m.content()
              : "assistant calls "
                  + m.toolCalls().stream()
                      .map(c -> c.id() + " " + c.name() + " " + c.argumentsJson())
                      .toList();
      default -> m.role() + ": " + m.content();
    };
  }
}
