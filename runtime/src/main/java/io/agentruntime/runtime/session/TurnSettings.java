package io.agentruntime.runtime.session;

import com.typesafe.config.Config;
import java.time.Duration;

/** How turns run, read once from {@code agent-runtime.turns}. */
public record TurnSettings(
    Duration approvalTimeout,
    Duration modelTimeout,
    Duration toolTimeout,
    int maxToolResultBytes,
    Duration idleTimeout,
    int contextTurns) {

  public TurnSettings {
    if (contextTurns < 1) {
      throw new IllegalArgumentException(
          "agent-runtime.turns.context-turns must be at least 1, not " + contextTurns);
    }
  }

  public static TurnSettings fromConfig(Config root) {
    Config c = root.getConfig("agent-runtime.turns");
    return new TurnSettings(
        c.getDuration("approval-timeout"),
        c.getDuration("model-timeout"),
        c.getDuration("tool-timeout"),
        (int) c.getBytes("max-tool-result-size").longValue(),
        c.getDuration("idle-timeout"),
        c.getInt("context-turns"));
  }
}
