package io.agentruntime.http.request;

import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.handleRejections;
import static org.apache.pekko.http.javadsl.server.Directives.mapRequest;
import static org.apache.pekko.http.javadsl.server.Directives.mapResponse;
import static org.apache.pekko.http.javadsl.server.Directives.withRequestTimeout;

import io.agentruntime.http.error.ErrorMapper;
import io.agentruntime.http.metrics.NodeMetrics;
import io.agentruntime.http.metrics.RouteTemplates;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every request goes through, outermost: it gets its request id (on the request, so that the
 * error mapper finds it, and on the response), failures and rejections become the error body, a
 * request that overruns the request timeout gets one too, and one log line and the HTTP metrics
 * record it. The line never holds headers, the query or the body.
 */
public final class RequestScope {

  private static final Logger log = LoggerFactory.getLogger("io.agentruntime.http.requests");

  private final ErrorMapper errors;
  private final ExceptionHandler exceptions;
  private final RejectionHandler rejections;
  private final Duration requestTimeout;
  private final NodeMetrics metrics;

  public RequestScope(ErrorMapper errors, Duration requestTimeout, NodeMetrics metrics) {
    this.errors = errors;
    this.exceptions = errors.exceptionHandler();
    this.rejections = errors.rejectionHandler();
    this.requestTimeout = requestTimeout;
    this.metrics = metrics;
  }

  public Route around(Supplier<Route> inner) {
    return extractRequest(
        original -> {
          String requestId = RequestIds.choose(original);
          long started = System.nanoTime();
          RawHeader idHeader = RawHeader.create(RequestIds.HEADER, requestId);
          return mapRequest(
              req -> req.removeHeader(RequestIds.HEADER).addHeader(idHeader),
              () ->
                  mapResponse(
                      resp ->
                          logged(
                              original,
                              requestId,
                              started,
                              advised(original, resp.addHeader(idHeader))),
                      () ->
                          withRequestTimeout(
                              requestTimeout,
                              req ->
                                  logged(
                                      original,
                                      requestId,
                                      started,
                                      advised(
                                          original,
                                          errors
                                              .requestTimedOut(original.method(), requestId)
                                              .addHeader(idHeader))),
                              () ->
                                  handleExceptions(
                                      exceptions, () -> handleRejections(rejections, inner)))));
        });
  }

  /** {@code resp} with {@link RetryAdvice}'s header when it has one to give. */
  private static HttpResponse advised(HttpRequest req, HttpResponse resp) {
    return RetryAdvice.of(
            req.method().isSafe(),
            req.getHeader("Idempotency-Key").isPresent(),
            resp.status().intValue())
        .map(retry -> resp.addHeader(RawHeader.create(RetryAdvice.HEADER, retry.toString())))
        .orElse(resp);
  }

  private HttpResponse logged(HttpRequest req, String requestId, long started, HttpResponse resp) {
    long nanos = System.nanoTime() - started;
    long millis = nanos / 1_000_000;
    metrics.request(
        req.method().name(),
        RouteTemplates.of(req.getUri().path()),
        resp.status().intValue(),
        nanos);
    RequestIds.logWith(
        requestId,
        () ->
            log.info(
                "{} {} {} {}ms requestId={}",
                req.method().name(),
                req.getUri().path(),
                resp.status().intValue(),
                millis,
                requestId));
    return resp;
  }
}
