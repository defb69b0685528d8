package io.agentruntime.http;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The settings of the HTTP API, read once from {@code agent-runtime.http}. */
public record HttpSettings(
    String host,
    int port,
    long maxBodyBytes,
    Duration bodyReadTimeout,
    Optional<Path> keysFile,
    Duration keysReloadInterval,
    boolean devKeyEnabled,
    double rateLimitPerSecond,
    int rateLimitBurst,
    int sessionsDefaultLimit,
    int sessionsMaxLimit,
    int turnsDefaultLimit,
    int turnsMaxLimit,
    int messagesDefaultLimit,
    int messagesMaxLimit,
    Duration maxWait,
    int maxWaitingRequestsPerKey,
    int maxEventStreamsPerKey,
    Duration requestTimeout,
    Duration idleTimeout,
    Duration retryAfter,
    Duration readinessTimeout,
    Duration terminationDeadline,
    EventSettings events,
    Set<String> clusterOperatorTenants,
    Duration clusterStatsTimeout) {

  /**
   * How {@code GET .../events} is framed: see {@code agent-runtime.http.events}. What it streams
   * (journal, then live) is the sessions' business: {@code agent-runtime.session.events}.
   */
  public record EventSettings(Duration keepAlive) {}

  public static HttpSettings fromConfig(Config root) {
    Config c = root.getConfig("agent-runtime.http");
    String keysFile = c.getString("keys-file").trim();
    return new HttpSettings(
        c.getString("host"),
        c.getInt("port"),
        c.getBytes("max-body-size"),
        c.getDuration("body-read-timeout"),
        keysFile.isEmpty() ? Optional.empty() : Optional.of(Path.of(keysFile)),
        c.getDuration("keys-reload-interval"),
        c.getBoolean("dev-key-enabled"),
        c.getDouble("rate-limit.per-second"),
        c.getInt("rate-limit.burst"),
        c.getInt("sessions-list.default-limit"),
        c.getInt("sessions-list.max-limit"),
        c.getInt("turns-list.default-limit"),
        c.getInt("turns-list.max-limit"),
        c.getInt("messages-list.default-limit"),
        c.getInt("messages-list.max-limit"),
        c.getDuration("max-wait"),
        c.getInt("max-waiting-requests-per-key"),
        c.getInt("events.max-streams-per-key"),
        c.getDuration("request-timeout"),
        c.getDuration("idle-timeout"),
        c.getDuration("retry-after"),
        c.getDuration("readiness-timeout"),
        c.getDuration("termination-deadline"),
        new EventSettings(c.getDuration("events.keep-alive")),
        Arrays.stream(c.getString("cluster-operator-tenants").split(","))
            .map(String::trim)
            .filter(t -> !t.isEmpty())
            .collect(Collectors.toUnmodifiableSet()),
        c.getDuration("cluster-stats-timeout"));
  }
}
