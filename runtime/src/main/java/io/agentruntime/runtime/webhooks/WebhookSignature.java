package io.agentruntime.runtime.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard-Webhooks signature both OpenAI SDKs' {@code webhooks.unwrap} verify (pure):
 * HMAC-SHA256 of {@code "<webhook-id>.<webhook-timestamp>.<body>"} keyed with the base64-decoded
 * secret after {@code whsec_}, sent as {@code v1,<base64>}.
 */
public final class WebhookSignature {

  public static final String PREFIX = "whsec_";

  private WebhookSignature() {}

  /** The {@code webhook-signature} header for this delivery. */
  public static String sign(String secret, String webhookId, long timestampSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key(secret), "HmacSHA256"));
      mac.update((webhookId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has HmacSHA256", e);
    }
  }

  /** The key a {@code whsec_} secret stands for (as the SDKs read it). */
  static byte[] key(String secret) {
    return secret.startsWith(PREFIX)
        ? Base64.getDecoder().decode(secret.substring(PREFIX.length()))
        : secret.getBytes(StandardCharsets.UTF_8);
  }

  /** A new secret: {@code whsec_} and 32 random bytes in base64. */
  static String newSecret(java.security.SecureRandom random) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return PREFIX + Base64.getEncoder().encodeToString(bytes);
  }
}
