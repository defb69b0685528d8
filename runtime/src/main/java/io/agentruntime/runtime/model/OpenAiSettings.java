package io.agentruntime.runtime.model;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * One OpenAI-compatible provider: where it is, which model it serves, and how patiently it is
 * called. {@code apiKey} (null when none) is held in memory only and never printed: {@link
 * #toString()} says whether one is set, nothing more. {@code timeout} caps every call, also one
 * whose request allows more. A reply body longer than {@code maxReplyBytes} fails the call.
 */
public record OpenAiSettings(
    String name,
    String baseUrl,
    String model,
    String apiKey,
    Duration connectTimeout,
    Duration timeout,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration retryAfterCap,
    long maxReplyBytes) {

  /** For settings made in code (tests): replies up to 1 MiB. */
  public OpenAiSettings(
      String name,
      String baseUrl,
      String model,
      String apiKey,
      Duration connectTimeout,
      Duration timeout,
      int maxAttempts,
      Duration initialBackoff,
      Duration maxBackoff,
      Duration retryAfterCap) {
    this(
        name,
        baseUrl,
        model,
        apiKey,
        connectTimeout,
        timeout,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        retryAfterCap,
        1 << 20);
  }

  public OpenAiSettings {
    Objects.requireNonNull(name, "name");
    if (baseUrl == null || baseUrl.isBlank()) {
      throw new IllegalArgumentException("model provider " + name + ": base-url is empty");
    }
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("model provider " + name + ": model is empty");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("model provider " + name + ": max-attempts must be >= 1");
    }
    if (maxReplyBytes < 1) {
      throw new IllegalArgumentException(
          "model provider " + name + ": max-reply-size must be positive");
    }
    baseUrl = baseUrl.strip();
    apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(retryAfterCap, "retryAfterCap");
  }

  /** {@code {baseUrl}/chat/completions}, whether or not the base URL ends with a slash. */
  public URI chatCompletionsUri() {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return URI.create(base + "/chat/completions");
  }

  public boolean hasApiKey() {
    return apiKey != null;
  }

  public OpenAiSettings withApiKey(String key) {
    return new OpenAiSettings(
        name,
        baseUrl,
        model,
        key,
        connectTimeout,
        timeout,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        retryAfterCap,
        maxReplyBytes);
  }

  public OpenAiSettings withTimeout(Duration callTimeout) {
    return new OpenAiSettings(
        name,
        baseUrl,
        model,
        apiKey,
        connectTimeout,
        callTimeout,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        retryAfterCap,
        maxReplyBytes);
  }

  public OpenAiSettings withMaxAttempts(int attempts) {
    return new OpenAiSettings(
        name,
        baseUrl,
        model,
        apiKey,
        connectTimeout,
        timeout,
        attempts,
        initialBackoff,
        maxBackoff,
        retryAfterCap,
        maxReplyBytes);
  }

  public OpenAiSettings withBackoff(Duration initial, Duration max, Duration retryAfterLimit) {
    return new OpenAiSettings(
        name,
        baseUrl,
        model,
        apiKey,
        connectTimeout,
        timeout,
        maxAttempts,
        initial,
        max,
        retryAfterLimit,
        maxReplyBytes);
  }

  @Override
  public String toString() {
    return "OpenAiSettings[name="
        + name
        + ", baseUrl="
        + baseUrl
        + ", model="
        + model
        + ", apiKey="
        + (hasApiKey() ? "<set>" : "<none>")
        + ", connectTimeout="
        + connectTimeout
        + ", timeout="
        + timeout
        + ", maxAttempts="
        + maxAttempts
        + ", initialBackoff="
        + initialBackoff
        + ", maxBackoff="
        + maxBackoff
        + ", retryAfterCap="
        + retryAfterCap
        + ", maxReplyBytes="
        + maxReplyBytes
        + "]";
  }
}
