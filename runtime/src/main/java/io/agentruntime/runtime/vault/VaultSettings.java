package io.agentruntime.runtime.vault;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code agent-runtime.vault}: the operator's keys ({@code key} or {@code key-file}, and {@code
 * old-keys}), the bounds of a tenant's vaults, and how long a vault request waits for its entity.
 */
public record VaultSettings(
    VaultKeys keys,
    VaultRules.Limits limits,
    int maxSecretBytes,
    int maxVaultsPerSession,
    Duration askTimeout) {

  /**
   * Reads the settings; a key that is set but malformed (or a key file that cannot be read) fails
   * with an {@link IllegalStateException} naming the setting, never the key: a node must not start
   * believing it keeps secrets it cannot open.
   */
  public static VaultSettings fromConfig(Config root) {
    Config c = root.getConfig("agent-runtime.vault");
    try {
      return new VaultSettings(
          VaultKeys.of(currentKey(c), oldKeys(c.getString("old-keys"))),
          new VaultRules.Limits(
              c.getInt("max-vaults-per-tenant"), c.getInt("max-credentials-per-vault")),
          (int) c.getBytes("max-secret-size").longValue(),
          c.getInt("max-vaults-per-session"),
          root.getDuration("agent-runtime.session.ask-timeout"));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("agent-runtime.vault: " + e.getMessage());
    }
  }

  private static Optional<String> currentKey(Config c) {
    String key = c.getString("key").strip();
    String file = c.getString("key-file").strip();
    if (!key.isEmpty() && !file.isEmpty()) {
      throw new IllegalArgumentException(
          "both key (AGENT_RUNTIME_VAULT_KEY) and key-file (AGENT_RUNTIME_VAULT_KEY_FILE) are set;"
              + " set one");
    }
    if (!file.isEmpty()) {
      try {
        return Optional.of(Files.readString(Path.of(file), StandardCharsets.UTF_8).strip());
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "the vault key file " + file + " cannot be read: " + e.getClass().getSimpleName());
      }
    }
    return key.isEmpty() ? Optional.empty() : Optional.of(key);
  }

  private static List<String> oldKeys(String value) {
    return Arrays.stream(value.split("[,\\s]+")).filter(k -> !k.isBlank()).toList();
  }
}
