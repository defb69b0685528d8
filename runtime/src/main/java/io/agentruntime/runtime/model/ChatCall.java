package io.agentruntime.runtime.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.runtime.BodyReports;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model call: attempts, each an asynchronous HTTP exchange, with waits between them scheduled
 * on a timer (no thread ever sleeps), all within one deadline. The first outcome wins: a reply, a
 * failure that retrying cannot fix, retries exhausted, or the deadline.
 */
final class ChatCall {

  private static final Logger log = LoggerFactory.getLogger(ChatCall.class);

  private final HttpClient http;
  private final ScheduledExecutorService timer;
  private final OpenAiSettings settings;
  private final RetryPolicy retry;
  private final ObjectMapper mapper;
  private final byte[] body;
  private final Consumer<String> onDelta;
  private final Duration timeout;
  private final long deadline;
  private final CompletableFuture<ModelReply> result = new CompletableFuture<>();
  private volatile ChatResponseReader reader;
  private volatile CompletableFuture<?> inFlight;
  private volatile ScheduledFuture<?> deadlineTimer;
  private volatile int attempt;

  ChatCall(
      HttpClient http,
      ScheduledExecutorService timer,
      OpenAiSettings settings,
      ObjectMapper mapper,
      byte[] body,
      Consumer<String> onDelta,
      Duration timeout) {
    this.http = http;
    this.timer = timer;
    this.settings = settings;
    this.retry = new RetryPolicy(settings);
    this.mapper = mapper;
    this.body = body;
    this.onDelta = onDelta;
    this.timeout = timeout;
    this.deadline = System.nanoTime() + timeout.toNanos();
  }

  CompletableFuture<ModelReply> start() {
    deadlineTimer = timer.schedule(this::timedOut, timeout.toNanos(), TimeUnit.NANOSECONDS);
    // Timed out, or cancelled by the caller (a cancelled turn): the exchange is dropped at once.
    result.whenComplete(
        (reply, error) -> {
          deadlineTimer.cancel(false);
          if (error != null) {
            abort();
          }
        });
    attempt();
    return result;
  }

  private void attempt() {
    Duration remaining = Duration.ofNanos(deadline - System.nanoTime());
    if (result.isDone() || remaining.isNegative() || remaining.isZero()) {
      return;
    }
    attempt++;
    HttpRequest.Builder request =
        HttpRequest.newBuilder(settings.chatCompletionsUri())
            .timeout(remaining)
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream, application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if ("http".equalsIgnoreCase(settings.chatCompletionsUri().getScheme())) {
      request.version(HttpClient.Version.HTTP_1_1);
    }
    if (settings.hasApiKey()) {
      request.header("Authorization", "Bearer " + settings.apiKey());
    }
    ChatResponseReader current =
        new ChatResponseReader(mapper, this::forward, settings.apiKey(), settings.maxReplyBytes());
    reader = current;
    CompletableFuture<HttpResponse<ModelReply>> exchange;
    try {
      // The reply is taken as soon as its body is read (BodyReports); failures come through the
      // exchange.
      exchange =
          http.sendAsync(
              request.build(),
              BodyReports.reporting(current.handler(), (info, reply) -> result.complete(reply)));
    } catch (RuntimeException e) {
      fail(new ModelException("model_error", provider() + "cannot send: " + e.getMessage()));
      return;
    }
    inFlight = exchange;
    if (result.isDone()) {
      abort();
    }
    exchange.whenComplete((response, error) -> attempted(response, error));
  }

  private void attempted(HttpResponse<ModelReply> response, Throwable error) {
    if (result.isDone()) {
      return;
    }
    if (error == null) {
      result.complete(response.body());
      return;
    }
    AttemptFailure failure = classify(error);
    if (failure == null) {
      timedOut();
    } else if (!failure.retryable()) {
      fail(new ModelException("model_error", provider() + failure.getMessage()));
    } else if (attempt >= settings.maxAttempts()) {
      fail(gaveUp(failure));
    } else {
      Duration wait = retry.delayAfter(attempt, failure.retryAfter());
      if (System.nanoTime() + wait.toNanos() >= deadline) {
        fail(gaveUp(failure));
        return;
      }
      log.info(
          "model provider {}: attempt {} of {} failed ({}); retrying in {} ms",
          settings.name(),
          attempt,
          settings.maxAttempts(),
          failure.getMessage(),
          wait.toMillis());
      timer.schedule(this::attempt, wait.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** The failure of an attempt, or null when it ran out of time (the call's deadline). */
  private static AttemptFailure classify(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof AttemptFailure failure) {
        return failure;
      }
      if (t instanceof HttpConnectTimeoutException) {
        return AttemptFailure.connection(t);
      }
      if (t instanceof HttpTimeoutException) {
        return null;
      }
      if (t instanceof IOException) {
        return AttemptFailure.connection(t);
      }
    }
    return AttemptFailure.unreadable(String.valueOf(error));
  }

  private void timedOut() {
    fail(
        new ModelException(
            "model_timeout", provider() + "no reply within " + timeout.toMillis() + " ms"));
  }

  private void abort() {
    ChatResponseReader current = reader;
    if (current != null) {
      current.cancel();
    }
    CompletableFuture<?> exchange = inFlight;
    if (exchange != null) {
      exchange.cancel(true);
    }
  }

  private ModelException gaveUp(AttemptFailure last) {
    return new ModelException(
        "model_unavailable",
        provider() + "gave up after " + attempt + " attempt(s); last: " + last.getMessage());
  }

  private void fail(ModelException e) {
    result.completeExceptionally(e);
  }

  // A delta of an answer that lost the race against the deadline is dropped; a listener that
  // throws does not break the call.
  private void forward(String delta) {
    if (result.isDone()) {
      return;
    }
    try {
      onDelta.accept(delta);
    } catch (RuntimeException e) {
      log.warn("model provider {}: a delta listener failed", settings.name(), e);
    }
  }

  private String provider() {
    return "model provider " + settings.name() + ": ";
  }
}
