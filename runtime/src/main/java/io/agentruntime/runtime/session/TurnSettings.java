package io.agentruntime.runtime.session;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How turns run, read once from {@code agent-runtime.turns}. {@code toolRetryDelay} is the pause
 * before an idempotent call whose outcome was unknown is sent again.
 */
public record TurnSettings(
    Duration approvalTimeout,
    Duration modelTimeout,
    Duration toolTimeout,
    int maxToolResultBytes,
    Duration idleTimeout,
    int contextTurns,
    Duration toolRetryDelay) {

  public TurnSettings {
    if (contextTurns < 1) {
      throw new IllegalArgumentException(
          "agent-runtime.turns.context-turns must be at least 1, not " + contextTurns);
    }
    if (toolRetryDelay.isNegative()) {
      throw new IllegalArgumentException(
          "agent-runtime.turns.tool-retry-delay must not be negative, not " + toolRetryDelay);
    }
  }

  /** With the default pause of one second before an idempotent call is sent again. */
  public TurnSettings(
      Duration approvalTimeout,
      Duration modelTimeout,
      Duration toolTimeout,
      int maxToolResultBytes,
      Duration idleTimeout,
      int contextTurns) {
    this(
        approvalTimeout,
        modelTimeout,
        toolTimeout,
        maxToolResultBytes,
        idleTimeout,
        contextTurns,
        Duration.ofSeconds(1));
  }

  public static TurnSettings fromConfig(Config root) {
    Config c = root.getConfig("agent-runtime.turns");
    return new TurnSettings(
        c.getDuration("approval-timeout"),
        c.getDuration("model-timeout"),
        c.getDuration("tool-timeout"),
        (int) c.getBytes("max-tool-result-size").longValue(),
        c.getDuration("idle-timeout"),
        c.getInt("context-turns"),
        c.getDuration("tool-retry-delay"));
  }
}
