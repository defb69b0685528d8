package io.agentruntime.http.request;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.slf4j.MDC;

/**
 * The id that ties a response, its error body and the node's log lines together. A client's own
 * {@code X-Request-Id} is kept when it is sane; otherwise the node makes one.
 */
public final class RequestIds {

  public static final String HEADER = "X-Request-Id";
  public static final String MDC_KEY = "requestId";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private RequestIds() {}

  /** The client's id if it sent a sane one, else a fresh one. */
  public static String choose(HttpRequest request) {
    return request
        .getHeader(HEADER)
        .map(HttpHeader::value)
        .filter(v -> SANE.matcher(v).matches())
        .orElseGet(() -> "req_" + UUID.randomUUID().toString().replace("-", ""));
  }

  /**
   * Runs {@code logging} with the request id in the logging context (MDC key {@code requestId}), so
   * that the line carries it in the log pattern, whichever thread writes it.
   */
  public static void logWith(String requestId, Runnable logging) {
    MDC.put(MDC_KEY, requestId);
    try {
      logging.run();
    } finally {
      MDC.remove(MDC_KEY);
    }
  }

  /** The id chosen for this request (set on the request by the outermost directive). */
  public static String of(HttpRequest request) {
    Optional<HttpHeader> header = request.getHeader(HEADER);
    return header.map(HttpHeader::value).orElse("unknown");
  }
}
