package io.agentruntime.runtime.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.LifecycleNotice;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The signature, the payload and the sealed secret, pure. */
class WebhookSignatureTest {

  @Test
  void theStandardWebhooksTestVectorSignsAsTheSpecificationSays() {
    byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    assertEquals(
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        WebhookSignature.sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            body));
    assertNotEquals(
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        WebhookSignature.sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265331,
            body));
  }

  @Test
  void aNewSecretIsWhsecAnd32RandomBytes() {
    SecureRandom random = new SecureRandom();
    String one = WebhookSignature.newSecret(random);
    assertTrue(one.startsWith("whsec_"), one);
    assertEquals(32, Base64.getDecoder().decode(one.substring(6)).length);
    assertNotEquals(one, WebhookSignature.newSecret(random));
  }

  @Test
  void theBodyIsTheAgentsApiEnvelope() {
    Instant at = Instant.ofEpochSecond(1_700_000_000);
    assertEquals(
        "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"agent.session.idle\",\"created_at\":1700000000,"
            + "\"data\":{\"id\":\"s1\",\"environment_type\":\"none\"}}",
        new String(
            WebhookPayload.body(new LifecycleNotice("evt_1", LifecycleNotice.IDLE, "s1", null, at)),
            StandardCharsets.UTF_8));
    assertEquals(
        "{\"id\":\"evt_2\",\"object\":\"event\",\"type\":\"agent.session.action_required\","
            + "\"created_at\":1700000000,\"data\":{\"id\":\"s1\","
            + "\"required_action\":{\"type\":\"mcp_approval_request\"}}}",
        new String(
            WebhookPayload.body(
                new LifecycleNotice(
                    "evt_2", LifecycleNotice.ACTION_REQUIRED, "s1", "mcp_approval_request", at)),
            StandardCharsets.UTF_8));
  }

  @Test
  void aSealedSecretOpensOnlyWithItsKeyAndForItsEndpoint() throws Exception {
    SecureRandom random = new SecureRandom();
    byte[] key = new byte[32];
    random.nextBytes(key);
    SecretBox box = new SecretBox(key, random);
    String secret = WebhookSignature.newSecret(random);
    String sealed = box.seal(secret, "acme", "we_1");
    assertTrue(!sealed.contains(secret.substring(6)), "sealed, not encoded");
    assertEquals(secret, box.open(sealed, "acme", "we_1"));
    assertThrows(GeneralSecurityException.class, () -> box.open(sealed, "globex", "we_1"));
    assertThrows(GeneralSecurityException.class, () -> box.open(sealed, "acme", "we_2"));
    byte[] other = key.clone();
    other[0] ^= 1;
    assertThrows(
        GeneralSecurityException.class,
        () -> new SecretBox(other, random).open(sealed, "acme", "we_1"));
  }
}
