package io.agentruntime.http.error;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;

import io.agentruntime.http.json.Json;
import io.agentruntime.http.request.RequestIds;
import io.agentruntime.runtime.session.OutcomeUnknown;
import io.agentruntime.runtime.session.SessionRefused;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.server.AuthenticationFailedRejection;
import org.apache.pekko.http.javadsl.server.AuthorizationFailedRejection;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedQueryParamRejection;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.MissingQueryParamRejection;
import org.apache.pekko.http.javadsl.server.Rejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.RequestEntityExpectedRejection;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.UnsupportedRequestContentTypeRejection;
import org.apache.pekko.http.javadsl.server.ValidationRejection;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become status codes and the error body {@code {"error": {"code",
 * "message", "requestId"}}}: refusals of the API and of sessions, timeouts of the store, Pekko's
 * own rejections and anything unexpected (500, logged, never shown to the client).
 */
public final class ErrorMapper {

  private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);

  private final Duration retryAfter;
  private final long maxBodyBytes;

  public ErrorMapper(Duration retryAfter, long maxBodyBytes) {
    this.retryAfter = retryAfter;
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * A request that ran past the request timeout. A read changed nothing: 503, to be retried, like a
   * store that did not answer. A write may have been accepted meanwhile: 504 {@code
   * outcome_unknown} (decision 0034).
   */
  public HttpResponse requestTimedOut(HttpMethod method, String requestId) {
    if (!method.isSafe()) {
      return response(
          ApiError.outcomeUnknown(
              "the request took too long; it may have been accepted: retry with the same"
                  + " Idempotency-Key, or read the resource to see",
              retryAfter),
          requestId);
    }
    return response(
        new ApiError(
            StatusCodes.SERVICE_UNAVAILABLE,
            "request_timeout",
            "the request took too long; retry later",
            java.util.List.of(
                org.apache.pekko.http.javadsl.model.headers.RetryAfter.create(
                    Math.max(1, retryAfter.toSeconds())))),
        requestId);
  }

  public static HttpResponse response(ApiError error, String requestId) {
    Map<String, Object> body =
        Map.of(
            "error",
            new ErrorBody(
                error.code(), error.getMessage(), error.type(), error.param(), requestId));
    return Json.response(error.status(), body).addHeaders(error.headers());
  }

  /** What a failure means for the client. */
  public ApiError toApiError(Throwable failure, String requestId) {
    Throwable t = unwrap(failure);
    if (t instanceof ApiError e) {
      return e;
    }
    if (t instanceof SessionRefused refused) {
      return ApiError.of(refused.problem());
    }
    if (t instanceof OutcomeUnknown) {
      RequestIds.logWith(
          requestId,
          () -> log.warn("[{}] the outcome of a write is unknown: {}", requestId, t.toString()));
      return ApiError.outcomeUnknown(
          "the session store did not confirm the write in time; it may have been accepted: retry"
              + " with the same Idempotency-Key, or read the resource to see",
          retryAfter);
    }
    if (t instanceof TimeoutException) {
      RequestIds.logWith(
          requestId,
          () ->
              log.warn(
                  "[{}] the session store did not answer in time: {}", requestId, t.toString()));
      return ApiError.storageUnavailable(retryAfter);
    }
    if (t instanceof EntityStreamSizeException) {
      return ApiError.bodyTooLarge(maxBodyBytes);
    }
    RequestIds.logWith(
        requestId, () -> log.error("[{}] request failed unexpectedly", requestId, t));
    return ApiError.internal();
  }

  public ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .matchAny(
            t ->
                extractRequest(
                    req -> {
                      String requestId = RequestIds.of(req);
                      return complete(response(toApiError(t, requestId), requestId));
                    }))
        .build();
  }

  /** Answers every rejection, Pekko's built-in ones included, with the error body. */
  public RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handle(
            AuthenticationFailedRejection.class,
            r -> fail(ApiError.unauthorized("a valid API key is required")))
        .handle(
            AuthorizationFailedRejection.class,
            r -> fail(ApiError.roleMissing("the API key lacks the role this needs")))
        .handle(
            MalformedRequestContentRejection.class,
            r ->
                fail(
                    r.getCause() instanceof EntityStreamSizeException
                        ? ApiError.bodyTooLarge(maxBodyBytes)
                        : ApiError.malformedJson("the request body cannot be read")))
        .handle(
            UnsupportedRequestContentTypeRejection.class,
            r -> fail(ApiError.unsupportedMediaType()))
        .handle(
            RequestEntityExpectedRejection.class,
            r -> fail(ApiError.malformedJson("a JSON request body is required")))
        .handle(
            MissingQueryParamRejection.class,
            r -> fail(ApiError.invalidField(r.parameterName() + " is required")))
        .handle(
            MalformedQueryParamRejection.class,
            r -> fail(ApiError.invalidField(r.parameterName() + " is invalid")))
        .handle(ValidationRejection.class, r -> fail(ApiError.invalidField(r.message())))
        .handleAll(MethodRejection.class, this::methodNotAllowed)
        .handle(
            Rejection.class,
            r ->
                fail(
                    new ApiError(
                        StatusCodes.BAD_REQUEST, "bad_request", "the request cannot be handled")))
        .handleNotFound(fail(new ApiError(StatusCodes.NOT_FOUND, "not_found", "no such resource")))
        .build();
  }

  private Route methodNotAllowed(List<MethodRejection> rejections) {
    HttpMethod[] allowed =
        rejections.stream().map(MethodRejection::supported).distinct().toArray(HttpMethod[]::new);
    String names =
        String.join(", ", rejections.stream().map(r -> r.supported().name()).distinct().toList());
    return fail(
        new ApiError(
            StatusCodes.METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "the resource allows " + names,
            List.of(Allow.create(allowed))));
  }

  private static Route fail(ApiError error) {
    return extractRequest(req -> complete(response(error, RequestIds.of(req))));
  }

  private static Throwable unwrap(Throwable t) {
    Throwable current = t;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  /**
   * The inner object of the error body: ours ({@code code}, {@code message}, {@code requestId}) and
   * OpenAI's ({@code type}, {@code param}, with {@code code} and {@code message} shared), so one
   * body serves our clients and the official OpenAI SDKs alike (decision 0025).
   */
  public record ErrorBody(
      String code, String message, String type, String param, String requestId) {}
}
