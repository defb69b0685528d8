package io.agentruntime.runtime.webhooks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals an endpoint's signing secret for the journal with the operator's key (AES-256-GCM, a random
 * 12-byte nonce, the tenant and endpoint id as associated data, so a sealed secret opens only for
 * the endpoint it was made for; decision 0028). The journal holds {@code base64(nonce ||
 * ciphertext)}, never the secret.
 */
final class SecretBox {

  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random;

  SecretBox(byte[] key, SecureRandom random) {
    this.key = new SecretKeySpec(key, "AES");
    this.random = random;
  }

  String seal(String secret, String tenant, String endpointId) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(aad(tenant, endpointId));
      byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder()
          .encodeToString(
              ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has AES/GCM", e);
    }
  }

  /** The secret, or an exception when the key is not the one it was sealed with. */
  String open(String sealed, String tenant, String endpointId) throws GeneralSecurityException {
    byte[] all = Base64.getDecoder().decode(sealed);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
    cipher.updateAAD(aad(tenant, endpointId));
    return new String(
        cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
  }

  private static byte[] aad(String tenant, String endpointId) {
    return (tenant + "\n" + endpointId).getBytes(StandardCharsets.UTF_8);
  }
}
