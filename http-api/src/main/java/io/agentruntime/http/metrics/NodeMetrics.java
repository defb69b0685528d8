package io.agentruntime.http.metrics;

import io.agentruntime.runtime.metrics.SessionMetrics;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * This node's metrics in a registry of its own (never the JVM-wide default, so that several nodes
 * in one test JVM keep apart), written as Prometheus text on {@code GET /metrics}. The session
 * entities report through {@link SessionMetrics}, the HTTP layer through {@link #request}. Every
 * recording is a lock-free counter or gauge update: safe inside an actor.
 */
public final class NodeMetrics implements SessionMetrics {

  /** Seconds: from 1 ms (a journal write on a quiet node) to a minute (a slow tool). */
  private static final double[] BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
  };

  private static final double NANOS_PER_SECOND = 1e9;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  private final Gauge activeSessions =
      Gauge.builder()
          .name("agent_active_sessions")
          .help("Session entities alive on this node")
          .register(registry);
  private final Gauge pendingApprovals =
      Gauge.builder()
          .name("agent_pending_approvals")
          .help("Approvals waiting for a human, on the sessions alive on this node")
          .register(registry);
  private final Counter turns =
      Counter.builder()
          .name("agent_turns_total")
          .help("Turns ended, by outcome (completed, failed, cancelled)")
          .labelNames("outcome")
          .register(registry);
  private final Counter toolCalls =
      Counter.builder()
          .name("agent_tool_calls_total")
          .help("Tool calls ended, by outcome (succeeded, failed, rejected, cancelled, in_doubt)")
          .labelNames("outcome")
          .register(registry);
  private final Histogram toolCallDuration =
      histogram(
          "agent_tool_call_duration_seconds",
          "Time a tool's server took to answer a call, by outcome",
          "outcome");
  private final Histogram modelCallDuration =
      histogram(
          "agent_model_call_duration_seconds",
          "Time a model took to answer, by outcome",
          "outcome");
  private final Histogram journalWriteDuration =
      histogram(
          "agent_journal_write_duration_seconds",
          "Time from a session's write request to its events being journaled");
  private final Counter modelTokens =
      Counter.builder()
          .name("agent_model_tokens_total")
          .help(
              "Model tokens the sessions of this node spent, by tenant and direction (input, output)")
          .labelNames("tenant", "direction")
          .register(registry);
  private final Counter modelCost =
      Counter.builder()
          .name("agent_model_cost_usd_total")
          .help(
              "What the model replies of this node's sessions cost in USD at the configured"
                  + " prices, by tenant")
          .labelNames("tenant")
          .register(registry);
  private final Counter httpRequests =
      Counter.builder()
          .name("agent_http_requests_total")
          .help("HTTP requests answered, by method, route template and status")
          .labelNames("method", "route", "status")
          .register(registry);
  private final Histogram httpDuration =
      histogram(
          "agent_http_request_duration_seconds",
              "Time to the response's headers, by method and route template",
          "method", "route");

  private Histogram histogram(String name, String help, String... labels) {
    return Histogram.builder()
        .name(name)
        .help(help)
        .labelNames(labels)
        .classicOnly()
        .classicUpperBounds(BUCKETS)
        .register(registry);
  }

  @Override
  public void activeSessions(int delta) {
    activeSessions.inc(delta);
  }

  @Override
  public void pendingApprovals(int delta) {
    pendingApprovals.inc(delta);
  }

  @Override
  public void turnEnded(String outcome) {
    turns.labelValues(outcome).inc();
  }

  @Override
  public void toolCallEnded(String outcome) {
    toolCalls.labelValues(outcome).inc();
  }

  @Override
  public void toolCallReturned(String outcome, long nanos) {
    toolCallDuration.labelValues(outcome).observe(nanos / NANOS_PER_SECOND);
  }

  @Override
  public void modelCallReturned(String outcome, long nanos) {
    modelCallDuration.labelValues(outcome).observe(nanos / NANOS_PER_SECOND);
  }

  @Override
  public void journalWritten(long nanos) {
    journalWriteDuration.observe(nanos / NANOS_PER_SECOND);
  }

  @Override
  public void modelTokens(String tenant, long inputTokens, long outputTokens) {
    modelTokens.labelValues(tenant, "input").inc(inputTokens);
    modelTokens.labelValues(tenant, "output").inc(outputTokens);
  }

  @Override
  public void modelCost(String tenant, java.math.BigDecimal costUsd) {
    modelCost.labelValues(tenant).inc(costUsd.doubleValue());
  }

  /** One HTTP request was answered; {@code route} is its template (low cardinality). */
  public void request(String method, String route, int status, long nanos) {
    httpRequests.labelValues(method, route, Integer.toString(status)).inc();
    httpDuration.labelValues(method, route).observe(nanos / NANOS_PER_SECOND);
  }

  /** Everything, in the Prometheus text format (version 0.0.4). */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
