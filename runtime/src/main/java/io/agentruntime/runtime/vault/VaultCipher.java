package io.agentruntime.runtime.vault;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Seals and opens credential secrets with the JDK's AES-256-GCM: a random 96-bit nonce per seal, a
 * 128-bit tag, and the tenant, vault and credential ids as associated data, so a ciphertext opens
 * only where it was sealed (decision 0029). Pure but for the random nonce.
 */
public final class VaultCipher {

  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Why a secret cannot be sealed or opened; the message never holds the secret. */
  public static final class VaultCipherException extends RuntimeException {
    VaultCipherException(String message) {
      super(message, null, false, false);
    }
  }

  private final VaultKeys keys;

  public VaultCipher(VaultKeys keys) {
    this.keys = keys;
  }

  public VaultKeys keys() {
    return keys;
  }

  /** Whether this node can seal new secrets (it has a current key). */
  public boolean canSeal() {
    return keys.current().isPresent();
  }

  /** Seals {@code secret} under the current key, bound to {@code where}. */
  public Sealed seal(Where where, String secret) {
    SecretKey key =
        keys.current().orElseThrow(() -> new VaultCipherException("no vault key is configured"));
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(where.associatedData());
      byte[] out = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      Base64.Encoder b64 = Base64.getEncoder();
      return new Sealed(
          keys.currentId().orElseThrow(), b64.encodeToString(nonce), b64.encodeToString(out));
    } catch (GeneralSecurityException e) {
      throw new VaultCipherException(
          "the secret could not be sealed: " + e.getClass().getSimpleName());
    }
  }

  /**
   * Opens {@code sealed}, which must have been sealed for {@code where}. Fails when the key it
   * names is not on this node, or the ciphertext, its tag or the associated data do not match.
   */
  public String open(Where where, Sealed sealed) {
    SecretKey key =
        keys.key(sealed.keyId())
            .orElseThrow(
                () ->
                    new VaultCipherException(
                        "the secret was sealed under vault key "
                            + sealed.keyId()
                            + ", which this node does not have"));
    try {
      Base64.Decoder b64 = Base64.getDecoder();
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, b64.decode(sealed.nonce())));
      cipher.updateAAD(where.associatedData());
      return new String(cipher.doFinal(b64.decode(sealed.ciphertext())), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new VaultCipherException("the secret does not open: it was not sealed here");
    }
  }

  /** Re-seals under the current key what an old key sealed; anything else is returned as is. */
  public Sealed resealed(Where where, Sealed sealed) {
    return keys.isStale(sealed) ? seal(where, open(where, sealed)) : sealed;
  }

  /** Where a secret lives: its associated data. */
  public record Where(String tenant, String vaultId, String credentialId) {
    byte[] associatedData() {
      return ("agent-runtime-vault-v1\u0000"
              + tenant
              + "\u0000"
              + vaultId
              + "\u0000"
              + credentialId)
          .getBytes(StandardCharsets.UTF_8);
    }
  }
}
