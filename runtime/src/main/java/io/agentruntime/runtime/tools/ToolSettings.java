package io.agentruntime.runtime.tools;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings of tool calls, read once from {@code agent-runtime.tools}
 * (agent-runtime-tools.conf).
 */
public record ToolSettings(
    ToolHosts allowedHosts,
    Optional<Path> secretsFile,
    int maxResultBytes,
    int errorExcerptChars,
    Duration defaultTimeout,
    Duration maxTimeout,
    Duration connectTimeout,
    McpLimits mcp) {

  public ToolSettings {
    Objects.requireNonNull(allowedHosts, "allowedHosts");
    Objects.requireNonNull(secretsFile, "secretsFile");
    Objects.requireNonNull(mcp, "mcp");
    if (maxResultBytes < 1 || errorExcerptChars < 1) {
      throw new IllegalArgumentException(
          "max-result-size and error-excerpt-chars must be positive");
    }
    if (defaultTimeout.isNegative()
        || defaultTimeout.isZero()
        || maxTimeout.compareTo(defaultTimeout) < 0) {
      throw new IllegalArgumentException(
          "default-timeout must be positive and max-timeout at least as long");
    }
  }

  /**
   * Bounds on the pool of MCP client sessions, and on what one discovery may bring (it is journaled
   * with the connection and sent with every model call).
   */
  public record McpLimits(
      int maxClients,
      Duration idleTimeout,
      int maxMessageBytes,
      int threads,
      int maxDiscoveredTools,
      int maxDiscoveredBytes) {
    public McpLimits {
      if (maxClients < 1
          || maxMessageBytes < 1
          || threads < 1
          || maxDiscoveredTools < 1
          || maxDiscoveredBytes < 1
          || idleTimeout.isNegative()
          || idleTimeout.isZero()) {
        throw new IllegalArgumentException("agent-runtime.tools.mcp settings must be positive");
      }
    }
  }

  public static ToolSettings fromConfig(Config root) {
    Config c = root.getConfig("agent-runtime.tools");
    String secretsFile = c.getString("secrets-file").strip();
    return new ToolSettings(
        ToolHosts.parse(c.getString("allowed-hosts")),
        secretsFile.isEmpty() ? Optional.empty() : Optional.of(Path.of(secretsFile)),
        (int) c.getBytes("max-result-size").longValue(),
        c.getInt("error-excerpt-chars"),
        c.getDuration("default-timeout"),
        c.getDuration("max-timeout"),
        c.getDuration("connect-timeout"),
        new McpLimits(
            c.getInt("mcp.max-clients"),
            c.getDuration("mcp.idle-timeout"),
            (int) c.getBytes("mcp.max-message-size").longValue(),
            c.getInt("mcp.threads"),
            c.getInt("mcp.max-discovered-tools"),
            (int) c.getBytes("mcp.max-discovered-size").longValue()));
  }

  /** What a call may wait: its own timeout (the default when it has none), at most the maximum. */
  public Duration timeoutOf(ToolInvocation invocation) {
    Duration asked = invocation.timeout();
    if (asked == null || asked.isZero() || asked.isNegative()) {
      return defaultTimeout;
    }
    return asked.compareTo(maxTimeout) > 0 ? maxTimeout : asked;
  }

  public ToolSettings withAllowedHosts(ToolHosts hosts) {
    return new ToolSettings(
        hosts,
        secretsFile,
        maxResultBytes,
        errorExcerptChars,
        defaultTimeout,
        maxTimeout,
        connectTimeout,
        mcp);
  }

  public ToolSettings withSecretsFile(Path file) {
    return new ToolSettings(
        allowedHosts,
        Optional.ofNullable(file),
        maxResultBytes,
        errorExcerptChars,
        defaultTimeout,
        maxTimeout,
        connectTimeout,
        mcp);
  }

  public ToolSettings withMcp(McpLimits limits) {
    return new ToolSettings(
        allowedHosts,
        secretsFile,
        maxResultBytes,
        errorExcerptChars,
        defaultTimeout,
        maxTimeout,
        connectTimeout,
        limits);
  }

  public ToolSettings withMaxResultBytes(int bytes) {
    return new ToolSettings(
        allowedHosts,
        secretsFile,
        bytes,
        errorExcerptChars,
        defaultTimeout,
        maxTimeout,
        connectTimeout,
        mcp);
  }
}
