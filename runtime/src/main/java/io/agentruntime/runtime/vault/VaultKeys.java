package io.agentruntime.runtime.vault;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The operator's vault keys: the current one, which seals every new or rotated secret, and older
 * ones that still open what they sealed. A key is named by its id, the first 8 bytes of its SHA-256
 * in hex: stored beside each ciphertext, it says which key opens it without naming anything secret.
 * No current key means the node keeps no new secrets ({@link #current()} empty).
 */
public final class VaultKeys {

  /** What the operator gave, for messages: never the key itself. */
  static final String FORMAT = "the base64 of 32 random bytes (e.g. `openssl rand -base64 32`)";

  private final Optional<String> currentId;
  private final Map<String, SecretKey> keys;

  private VaultKeys(Optional<String> currentId, Map<String, SecretKey> keys) {
    this.currentId = currentId;
    this.keys = Map.copyOf(keys);
  }

  /** No key at all: nothing can be sealed or opened. */
  public static VaultKeys none() {
    return new VaultKeys(Optional.empty(), Map.of());
  }

  /**
   * {@code current} (base64 of 32 bytes, or empty for none) and {@code old} keys that still open.
   * Throws {@link IllegalArgumentException} naming which setting is malformed, never its value.
   */
  public static VaultKeys of(Optional<String> current, List<String> old) {
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    Optional<String> currentId = Optional.empty();
    if (current.isPresent()) {
      SecretKey key = decode(current.get(), "the vault key");
      currentId = Optional.of(idOf(key));
      keys.put(currentId.get(), key);
    }
    for (int i = 0; i < old.size(); i++) {
      SecretKey key = decode(old.get(i), "old vault key number " + (i + 1));
      keys.putIfAbsent(idOf(key), key);
    }
    return new VaultKeys(currentId, keys);
  }

  /** The id of the key that seals, when there is one. */
  public Optional<String> currentId() {
    return currentId;
  }

  /** The key that seals, when there is one. */
  Optional<SecretKey> current() {
    return currentId.map(keys::get);
  }

  /** The key named {@code id}, when this node has it. */
  Optional<SecretKey> key(String id) {
    return Optional.ofNullable(keys.get(id));
  }

  /** Whether {@code sealed} was sealed under an old key: rotation re-seals it under the current. */
  public boolean isStale(Sealed sealed) {
    return currentId.isPresent() && !currentId.get().equals(sealed.keyId());
  }

  private static SecretKey decode(String base64, String what) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not base64: it must be " + FORMAT);
    }
    if (bytes.length != 32) {
      throw new IllegalArgumentException(
          what + " holds " + bytes.length + " bytes, not 32: it must be " + FORMAT);
    }
    return new SecretKeySpec(bytes, "AES");
  }

  static String idOf(SecretKey key) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("agent-runtime-vault-key-id".getBytes(StandardCharsets.UTF_8));
      byte[] digest = sha.digest(key.getEncoded());
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "VaultKeys[current=" + currentId.orElse("none") + ", readable=" + keys.keySet() + "]";
  }
}
