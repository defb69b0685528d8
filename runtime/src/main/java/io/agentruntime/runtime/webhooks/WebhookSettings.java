package io.agentruntime.runtime.webhooks;

import com.typesafe.config.Config;
import io.agentruntime.runtime.tools.ToolHosts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * {@code agent-runtime.webhooks}, read once. {@code secretKey} is empty when none is configured;
 * {@code hosts} is the tools' allow-list ({@code agent-runtime.tools.allowed-hosts}).
 */
public record WebhookSettings(
    Optional<byte[]> secretKey,
    ToolHosts hosts,
    int maxEndpoints,
    Duration timeout,
    Backoff backoff,
    int logSize,
    int maxPending,
    Duration dedupWindow,
    Duration askTimeout,
    int handoffRetries,
    Duration endpointsRecheck,
    String publicBaseUrl) {

  public static WebhookSettings fromConfig(Config root) {
    Config c = root.getConfig("agent-runtime.webhooks");
    return new WebhookSettings(
        key(c.getString("secret-key").strip(), c.getString("secret-key-file").strip()),
        ToolHosts.parse(root.getString("agent-runtime.tools.allowed-hosts")),
        c.getInt("max-endpoints-per-tenant"),
        c.getDuration("timeout"),
        new Backoff(
            c.getDuration("first-retry"),
            c.getDuration("max-retry"),
            c.getDuration("give-up-after")),
        c.getInt("log-size"),
        c.getInt("max-pending"),
        c.getDuration("dedup-window"),
        c.getDuration("ask-timeout"),
        c.getInt("handoff-retries"),
        c.getDuration("endpoints-recheck"),
        c.getString("public-base-url").strip().replaceAll("/+$", ""));
  }

  /** A key of exactly 32 bytes, or none; anything else stops the node with a clear message. */
  static Optional<byte[]> key(String base64, String file) {
    String text = base64;
    if (text.isEmpty() && !file.isEmpty()) {
      try {
        text = Files.readString(Path.of(file)).strip();
      } catch (IOException e) {
        throw new UncheckedIOException("agent-runtime.webhooks.secret-key-file: " + file, e);
      }
    }
    if (text.isEmpty()) {
      return Optional.empty();
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "agent-runtime.webhooks.secret-key must be 32 bytes in base64 (not base64)");
    }
    if (key.length != 32) {
      throw new IllegalArgumentException(
          "agent-runtime.webhooks.secret-key must be 32 bytes in base64, not " + key.length);
    }
    return Optional.of(key);
  }
}
