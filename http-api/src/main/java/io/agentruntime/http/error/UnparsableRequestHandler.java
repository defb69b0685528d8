package io.agentruntime.http.error;

import io.agentruntime.http.request.RequestIds;
import java.util.UUID;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests that never reach the routes because the server cannot parse them (a broken
 * request line, headers or URI over the limits) with the same error body and a request id. The
 * parser's own description is not repeated, to the client or to the log: it may quote a header, and
 * headers may carry keys. Pekko creates it by name (the server's parsing error handler setting),
 * hence the public no-argument constructor.
 */
public final class UnparsableRequestHandler extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(
      StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    String requestId = "req_" + UUID.randomUUID().toString().replace("-", "");
    String code =
        switch (status.intValue()) {
          case 413 -> "body_too_large";
          case 414 -> "uri_too_long";
          case 431 -> "headers_too_large";
          default -> "malformed_request";
        };
    log.warning("[{}] unparsable request answered {} {}", requestId, status.intValue(), code);
    return ErrorMapper.response(
            new ApiError(
                StatusCodes.get(status.intValue()), code, "the request cannot be parsed as HTTP"),
            requestId)
        .addHeader(RawHeader.create(RequestIds.HEADER, requestId));
  }
}
