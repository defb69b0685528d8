package io.agentruntime.runtime.session;

import com.typesafe.config.Config;
import java.time.Duration;

/** How turns run, read once from {@code agent-runtime.turns}. */
public record TurnSettings(
    Duration approvalTimeout,
    Duration modelTimeout,
    Duration toolTimeout,
    int maxToolResultBytes,
    Duration idleTimeout) {

  public static TurnSettings fromConfig(Config root) {
    Config c = root.getConfig("agent-runtime.turns");
    return new TurnSettings(
        c.getDuration("approval-timeout"),
        c.getDuration("model-timeout"),
        c.getDuration("tool-timeout"),
        (int) c.getBytes("max-tool-result-size").longValue(),
        c.getDuration("idle-timeout"));
  }
}
