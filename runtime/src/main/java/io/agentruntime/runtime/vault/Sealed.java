package io.agentruntime.runtime.vault;

import io.agentruntime.runtime.CborSerializable;

/**
 * A secret encrypted at rest: AES-256-GCM under the key {@code keyId} names, with a random 96-bit
 * {@code nonce} (base64) and the {@code ciphertext} with its tag (base64). The associated data (the
 * tenant, vault and credential ids) is not stored: it is where the secret is, so a ciphertext
 * copied to another credential does not open.
 */
public record Sealed(String keyId, String nonce, String ciphertext) implements CborSerializable {

  @Override
  public String toString() {
    return "Sealed[keyId=" + keyId + "]";
  }
}
