package io.agentruntime.runtime.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Consumer;

/**
 * A model behind an OpenAI-compatible {@code POST {baseUrl}/chat/completions}, asked to stream
 * (Server-Sent Events, usage in the last chunk) when the caller listens for deltas and for one JSON
 * body otherwise; either answer is understood whatever was asked. Calls are asynchronous end to
 * end: retries of 408, 429, 5xx and connection failures wait on a timer with exponential backoff
 * (or the provider's {@code Retry-After}, capped), all within the call's timeout. Failures are
 * {@link ModelException}s coded {@code model_error} (a 4xx or an unreadable answer: not retried),
 * {@code model_unavailable} (retries exhausted) or {@code model_timeout}. The API key goes only
 * into the {@code Authorization} header.
 */
public final class OpenAiChatClient implements ModelClient {

  // One timer for every client: its tasks only start exchanges or complete futures.
  private static final ScheduledExecutorService TIMER = timer();

  private final OpenAiSettings settings;
  private final HttpClient http;
  private final ObjectMapper mapper = new ObjectMapper();

  public OpenAiChatClient(OpenAiSettings settings) {
    this(settings, HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build());
  }

  /** With an HTTP client of the caller's (its own executor, proxy or TLS settings). */
  public OpenAiChatClient(OpenAiSettings settings, HttpClient http) {
    this.settings = settings;
    this.http = http;
  }

  public OpenAiSettings settings() {
    return settings;
  }

  /** The request's timeout, capped by the provider's; the provider's when the request has none. */
  @Override
  public CompletionStage<ModelReply> complete(ModelRequest request, Consumer<String> onDelta) {
    byte[] body;
    try {
      body = ChatRequestBody.of(mapper, settings.model(), request, onDelta != null);
    } catch (Exception e) {
      return CompletableFuture.failedFuture(
          new ModelException(
              "model_error",
              "model provider "
                  + settings.name()
                  + ": cannot write the request: "
                  + e.getMessage()));
    }
    Consumer<String> listener = onDelta == null ? delta -> {} : onDelta;
    return new ChatCall(http, TIMER, settings, mapper, body, listener, timeout(request)).start();
  }

  private Duration timeout(ModelRequest request) {
    Duration requested = request.timeout();
    if (requested == null || requested.isNegative() || requested.isZero()) {
      return settings.timeout();
    }
    return requested.compareTo(settings.timeout()) < 0 ? requested : settings.timeout();
  }

  @Override
  public String toString() {
    return "OpenAiChatClient[" + settings + "]";
  }

  private static ScheduledExecutorService timer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "agent-runtime-model-timer");
              thread.setDaemon(true);
              return thread;
            });
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }
}
