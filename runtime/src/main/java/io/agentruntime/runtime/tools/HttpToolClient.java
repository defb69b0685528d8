package io.agentruntime.runtime.tools;

import static io.agentruntime.runtime.tools.ToolFailures.failed;
import static io.agentruntime.runtime.tools.ToolFailures.unknown;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.agentruntime.runtime.BodyReports;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Calls an HTTP tool: {@code POST url} with {@code {"arguments": {...}}}. A 2xx answer is the
 * result: its JSON, or, when it is not JSON, its text as a JSON string (an empty body is the empty
 * string). Redirects are not followed: a tool that redirects fails with {@code tool_http_error}
 * rather than reach a host the allow-list was never asked about.
 */
public final class HttpToolClient {

  private static final int ERROR_BODY_BYTES = 4096;

  private final HttpClient http;
  private final ToolSettings settings;
  private final Secrets secrets;
  private final ToolGate gate;
  private final ObjectMapper mapper;
  private final ObjectReader strictReader;

  /** {@code http} should not follow redirects (see {@link RoutingToolExecutor#httpClient}). */
  public HttpToolClient(
      HttpClient http, ToolSettings settings, Secrets secrets, ObjectMapper mapper) {
    this.http = http;
    this.settings = settings;
    this.secrets = secrets;
    this.gate = new ToolGate(settings.allowedHosts(), secrets);
    this.mapper = mapper;
    this.strictReader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** Calls the invocation's HTTP tool. Never fails: every outcome is a {@link ToolResult}. */
  public CompletionStage<ToolResult> call(ToolInvocation invocation) {
    if (!(invocation.connection() instanceof ToolConnection.Http tool)) {
      return CompletableFuture.completedFuture(
          failed(ToolFailures.INVALID_INVOCATION, "not an HTTP tool: " + invocation.connection()));
    }
    // A credential resolved from the session's vaults (decision 0029) replaces the granted secret.
    Bearer resolved = invocation.bearer();
    Optional<ToolResult.Failed> refused =
        resolved != null ? gate.hostRefusal(tool) : gate.refusal(invocation.tenant(), tool);
    if (refused.isPresent()) {
      return CompletableFuture.completedFuture(refused.get());
    }
    Optional<String> bearer =
        resolved != null
            ? Optional.of(resolved.token())
            : Optional.ofNullable(tool.secretRef())
                .flatMap(ref -> secrets.resolve(invocation.tenant(), ref));
    if (resolved == null && tool.secretRef() != null && bearer.isEmpty()) {
      // Removed from the secrets file since the gate looked.
      return CompletableFuture.completedFuture(ToolGate.missingSecret(tool.secretRef()));
    }
    Duration timeout = settings.timeoutOf(invocation);
    HttpRequest request;
    try {
      request = request(invocation, tool, bearer, timeout);
    } catch (IllegalArgumentException e) {
      // Not the exception's message: it may quote a header value.
      return CompletableFuture.completedFuture(
          failed(
              ToolFailures.INVALID_INVOCATION,
              "the call cannot be sent: invalid URL, header or arguments"));
    }
    // The outcome is taken as soon as the body is read (BodyReports); failures come through the
    // exchange, and so would an answer that was somehow never reported.
    CompletableFuture<ToolResult> answered = new CompletableFuture<>();
    CompletableFuture<HttpResponse<BoundedBody>> exchange =
        http.sendAsync(
            request,
            BodyReports.reporting(
                BoundedBody.handler(settings.maxResultBytes(), ERROR_BODY_BYTES),
                (info, body) ->
                    answered.complete(outcome(info.statusCode(), info.headers(), body, bearer))));
    exchange.whenComplete(
        (response, error) -> {
          if (error != null) {
            answered.completeExceptionally(error);
          } else {
            answered.complete(
                outcome(response.statusCode(), response.headers(), response.body(), bearer));
          }
        });
    // The request's own timeout covers the wait for headers only; this one covers the body too,
    // and cancelling the exchange closes its connection.
    return answered
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (result, error) -> {
              if (error != null) {
                exchange.cancel(true);
                return failure(ToolFailures.unwrap(error), timeout);
              }
              return EchoedSecrets.redacted(result, bearer);
            });
  }

  private HttpRequest request(
      ToolInvocation invocation,
      ToolConnection.Http tool,
      Optional<String> bearer,
      Duration timeout) {
    ObjectNode body = mapper.createObjectNode();
    JsonNode arguments = invocation.arguments();
    body.set(
        "arguments",
        arguments == null || arguments.isNull() ? mapper.createObjectNode() : arguments);
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(tool.url()))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(body)));
    if (invocation.idempotencyKey() != null) {
      builder.header("Idempotency-Key", invocation.idempotencyKey());
    }
    if (invocation.sessionKey() != null) {
      builder.header("X-Agent-Session", invocation.sessionKey());
    }
    bearer.ifPresent(secret -> builder.header("Authorization", "Bearer " + secret));
    return builder.build();
  }

  private byte[] bytes(JsonNode body) {
    try {
      return mapper.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("arguments cannot be written as JSON", e);
    }
  }

  private ToolResult outcome(
      int status, HttpHeaders headers, BoundedBody body, Optional<String> bearer) {
    if (status / 100 != 2) {
      // Redacted before it is cut: a cut through an echoed secret would leave its start behind.
      String excerpt =
          ToolFailures.excerpt(
              EchoedSecrets.text(body.text(), bearer), settings.errorExcerptChars());
      return failed(
          ToolFailures.TOOL_HTTP_ERROR,
          "the tool answered HTTP " + status + (excerpt.isEmpty() ? "" : ": " + excerpt));
    }
    if (body.overLimit()) {
      return failed(
          ToolFailures.TOOL_RESULT_TOO_LARGE,
          "the tool's answer is larger than " + settings.maxResultBytes() + " bytes");
    }
    String contentType = headers.firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    return new ToolResult.Succeeded(result(body, contentType));
  }

  /** JSON when it says so or says nothing and parses; otherwise the text. */
  private JsonNode result(BoundedBody body, String contentType) {
    boolean mayBeJson = contentType.isEmpty() || contentType.contains("json");
    if (mayBeJson && body.bytes().length > 0) {
      try {
        JsonNode json = strictReader.readTree(body.bytes());
        if (json != null && !json.isMissingNode()) {
          return json;
        }
      } catch (IOException e) {
        // Not JSON after all: the text is the result.
      }
    }
    return TextNode.valueOf(body.text());
  }

  /**
   * What a failed exchange proves. Only a failure before the request could leave (no connection,
   * unknown host, TLS handshake) is a failure; a timeout or a broken connection afterwards leaves
   * the outcome unknown: the tool may have acted.
   */
  private static ToolResult failure(Throwable error, Duration timeout) {
    if (error instanceof HttpConnectTimeoutException) {
      return failed(
          ToolFailures.TOOL_UNREACHABLE, "could not connect to the tool: connect timed out");
    }
    if (error instanceof HttpTimeoutException || error instanceof TimeoutException) {
      return unknown(ToolFailures.TOOL_TIMEOUT, "the tool did not answer within " + timeout);
    }
    if (error instanceof ConnectException) {
      return failed(
          ToolFailures.TOOL_UNREACHABLE, "could not connect to the tool: connection refused");
    }
    if (causedBy(error, SSLHandshakeException.class)
        || causedBy(error, UnresolvedAddressException.class)) {
      return failed(
          ToolFailures.TOOL_UNREACHABLE, "could not connect to the tool: " + describe(error));
    }
    if (error instanceof IOException) {
      return unknown(
          ToolFailures.TOOL_CONNECTION_LOST,
          "the connection to the tool broke before it answered: " + describe(error));
    }
    return unknown(
        ToolFailures.INTERNAL_ERROR, "the tool call ended without an answer: " + describe(error));
  }

  private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Throwable error) {
    return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
  }
}
