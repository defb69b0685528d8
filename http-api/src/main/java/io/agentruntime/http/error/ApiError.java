package io.agentruntime.http.error;

import io.agentruntime.runtime.session.Problem;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * A request the API refuses: the status, the stable code and the message a client sees, and any
 * header the refusal needs. Routes throw it (or fail their future with it); {@link ErrorMapper}
 * turns it into the error body. Carries no stack trace: it is an answer, not a bug.
 */
public final class ApiError extends RuntimeException {

  /** When a session reports its store failed (an erase that could not delete): retry after this. */
  private static final long UNAVAILABLE_RETRY_SECONDS = 5;

  /** When a key or a session has too many requests waiting: they end within the longest wait. */
  private static final long WAITERS_RETRY_SECONDS = 1;

  private final StatusCode status;
  private final String code;
  private final String param;
  private final List<HttpHeader> headers;

  public ApiError(StatusCode status, String code, String message, List<HttpHeader> headers) {
    this(status, code, null, message, headers);
  }

  /** With {@code param}, the request field the refusal is about (null when none is). */
  public ApiError(
      StatusCode status, String code, String param, String message, List<HttpHeader> headers) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.param = param;
    this.headers = List.copyOf(headers);
  }

  public ApiError(StatusCode status, String code, String message) {
    this(status, code, message, List.of());
  }

  public StatusCode status() {
    return status;
  }

  public String code() {
    return code;
  }

  public List<HttpHeader> headers() {
    return headers;
  }

  /** The request field the refusal is about, as OpenAI's error body names it; null when none. */
  public String param() {
    return param;
  }

  /**
   * The class of the error as OpenAI's error body names it ({@code type}), so the official SDKs map
   * it to their exception types: decided by the status alone.
   */
  public String type() {
    int s = status.intValue();
    if (s == 401) {
      return "authentication_error";
    }
    if (s == 403) {
      return "permission_error";
    }
    if (s == 429) {
      return "rate_limit_error";
    }
    return s >= 500 ? "server_error" : "invalid_request_error";
  }

  /** A field of the request (body, path or query) is missing, of the wrong type or invalid. */
  public static ApiError invalidField(String message) {
    return new ApiError(StatusCodes.BAD_REQUEST, "invalid_field", message);
  }

  /** As {@link #invalidField(String)}, naming the field ({@code param}: "agent.model"). */
  public static ApiError invalidField(String param, String message) {
    return new ApiError(StatusCodes.BAD_REQUEST, "invalid_field", param, message, List.of());
  }

  public static ApiError malformedJson(String message) {
    return new ApiError(StatusCodes.BAD_REQUEST, "malformed_json", message);
  }

  public static ApiError unauthorized(String message) {
    return new ApiError(
        StatusCodes.UNAUTHORIZED,
        "unauthorized",
        message,
        List.of(RawHeader.create("WWW-Authenticate", "Bearer")));
  }

  public static ApiError roleMissing(String message) {
    return new ApiError(StatusCodes.FORBIDDEN, "role_missing", message);
  }

  public static ApiError bodyTooLarge(long maxBytes) {
    return new ApiError(
        StatusCodes.CONTENT_TOO_LARGE,
        "body_too_large",
        "the request body is over the limit of " + maxBytes + " bytes");
  }

  public static ApiError unsupportedMediaType() {
    return new ApiError(
        StatusCodes.UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "the request body must be application/json");
  }

  public static ApiError rateLimited(long retryAfterSeconds) {
    return new ApiError(
        StatusCodes.TOO_MANY_REQUESTS,
        "rate_limited",
        "too many requests for this API key",
        List.of(retryAfter(retryAfterSeconds)));
  }

  /**
   * The API key holds as many requests waiting for turns ({@code too_many_waiters}) or event
   * streams ({@code too_many_streams}) on this node as it may: retry once one has ended.
   */
  public static ApiError tooManyOpen(String code, String message) {
    return new ApiError(
        StatusCodes.TOO_MANY_REQUESTS, code, message, List.of(retryAfter(WAITERS_RETRY_SECONDS)));
  }

  public static ApiError storageUnavailable(Duration retryAfter) {
    return new ApiError(
        StatusCodes.SERVICE_UNAVAILABLE,
        "storage_unavailable",
        "the session store did not answer in time; nothing was accepted, retry later",
        List.of(retryAfter(Math.max(1, retryAfter.toSeconds()))));
  }

  /**
   * The runtime cannot tell whether the write landed (decision 0034): never "nothing was accepted".
   * A retry with the same Idempotency-Key is safe.
   */
  public static ApiError outcomeUnknown(String message, Duration retryAfter) {
    return new ApiError(
        StatusCodes.GATEWAY_TIMEOUT,
        "outcome_unknown",
        message,
        List.of(retryAfter(Math.max(1, retryAfter.toSeconds()))));
  }

  public static ApiError internal() {
    return new ApiError(StatusCodes.INTERNAL_SERVER_ERROR, "internal", "internal error");
  }

  /** The answer to a command the session refused. */
  public static ApiError of(Problem problem) {
    if (problem.kind() == Problem.Kind.UNAVAILABLE) {
      return new ApiError(
          StatusCodes.SERVICE_UNAVAILABLE,
          problem.code(),
          problem.message(),
          List.of(retryAfter(UNAVAILABLE_RETRY_SECONDS)));
    }
    if (problem.kind() == Problem.Kind.LIMIT && problem.code().equals("too_many_waiters")) {
      return tooManyOpen(problem.code(), problem.message());
    }
    StatusCode status =
        switch (problem.kind()) {
          case NOT_FOUND -> StatusCodes.NOT_FOUND;
          case CONFLICT -> StatusCodes.CONFLICT;
          case INVALID -> StatusCodes.BAD_REQUEST;
          case TOO_LARGE -> StatusCodes.CONTENT_TOO_LARGE;
          case FORBIDDEN -> StatusCodes.FORBIDDEN;
          case LIMIT -> StatusCodes.TOO_MANY_REQUESTS;
          case UNAVAILABLE -> StatusCodes.SERVICE_UNAVAILABLE;
          // Journaled, so never a 503 ("nothing was accepted"); asking again finishes it.
          case INCOMPLETE -> StatusCodes.INTERNAL_SERVER_ERROR;
        };
    return new ApiError(status, problem.code(), problem.field(), problem.message(), List.of());
  }

  private static HttpHeader retryAfter(long seconds) {
    return RawHeader.create("Retry-After", Long.toString(seconds));
  }
}
