package io.agentruntime.http.metrics;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /metrics}: the node's metrics in the Prometheus text format. No key needed. */
public final class MetricsRoutes {

  private static final ContentType PROMETHEUS_TEXT =
      ContentTypes.parse("text/plain; version=0.0.4; charset=UTF-8");

  private final NodeMetrics metrics;

  public MetricsRoutes(NodeMetrics metrics) {
    this.metrics = metrics;
  }

  public Route routes() {
    return path(
        "metrics",
        () ->
            get(
                () ->
                    complete(HttpResponse.create().withEntity(PROMETHEUS_TEXT, metrics.scrape()))));
  }
}
