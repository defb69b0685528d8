package io.agentruntime.runtime.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The vault cipher: what it seals opens only with its key and where it was sealed. */
class VaultCipherTest {

  static final String KEY_A = newKey();
  static final String KEY_B = newKey();
  static final VaultCipher.Where HERE = new VaultCipher.Where("acme", "vault_1", "cred_1");
  static final String TOKEN = "tok-3f9a-secret";

  static String newKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  static VaultCipher cipher(String current, String... old) {
    return new VaultCipher(VaultKeys.of(Optional.ofNullable(current), List.of(old)));
  }

  @Test
  void whatIsSealedOpensAgainAndHoldsNoClearText() {
    VaultCipher cipher = cipher(KEY_A);
    Sealed sealed = cipher.seal(HERE, TOKEN);
    assertEquals(TOKEN, cipher.open(HERE, sealed));
    String stored = sealed.keyId() + sealed.nonce() + sealed.ciphertext();
    assertFalse(stored.contains(TOKEN));
    assertFalse(
        new String(Base64.getDecoder().decode(sealed.ciphertext()), StandardCharsets.ISO_8859_1)
            .contains(TOKEN));
    assertFalse(sealed.toString().contains(sealed.ciphertext()), "toString shows the key id only");
  }

  @Test
  void eachSealHasItsOwnNonce() {
    VaultCipher cipher = cipher(KEY_A);
    assertNotEquals(cipher.seal(HERE, TOKEN).nonce(), cipher.seal(HERE, TOKEN).nonce());
  }

  @Test
  void anotherKeyDoesNotOpenIt() {
    Sealed sealed = cipher(KEY_A).seal(HERE, TOKEN);
    assertThrows(VaultCipher.VaultCipherException.class, () -> cipher(KEY_B).open(HERE, sealed));
  }

  @ParameterizedTest(name = "sealed for acme/vault_1/cred_1, opened as {0}/{1}/{2}")
  @CsvSource({"other,vault_1,cred_1", "acme,vault_2,cred_1", "acme,vault_1,cred_2"})
  void anotherPlaceDoesNotOpenIt(String tenant, String vault, String credential) {
    VaultCipher cipher = cipher(KEY_A);
    Sealed sealed = cipher.seal(HERE, TOKEN);
    assertThrows(
        VaultCipher.VaultCipherException.class,
        () -> cipher.open(new VaultCipher.Where(tenant, vault, credential), sealed));
  }

  @Test
  void aTamperedCiphertextDoesNotOpen() {
    VaultCipher cipher = cipher(KEY_A);
    Sealed sealed = cipher.seal(HERE, TOKEN);
    byte[] bytes = Base64.getDecoder().decode(sealed.ciphertext());
    bytes[0] ^= 1;
    Sealed tampered =
        new Sealed(sealed.keyId(), sealed.nonce(), Base64.getEncoder().encodeToString(bytes));
    assertThrows(VaultCipher.VaultCipherException.class, () -> cipher.open(HERE, tampered));
  }

  @Test
  void anOldKeyStillOpensAndRotationReSealsUnderTheNewOne() {
    Sealed underA = cipher(KEY_A).seal(HERE, TOKEN);
    VaultCipher rotated = cipher(KEY_B, KEY_A);
    assertEquals(TOKEN, rotated.open(HERE, underA));
    assertTrue(rotated.keys().isStale(underA));

    Sealed underB = rotated.resealed(HERE, underA);
    assertEquals(rotated.keys().currentId().orElseThrow(), underB.keyId());
    assertNotEquals(underA.keyId(), underB.keyId());
    assertEquals(TOKEN, cipher(KEY_B).open(HERE, underB), "the old key is no longer needed");
    assertSame(underB, rotated.resealed(HERE, underB), "what the current key sealed stays");
  }

  @Test
  void withoutAKeyNothingIsSealed() {
    VaultCipher none = cipher(null);
    assertFalse(none.canSeal());
    assertThrows(VaultCipher.VaultCipherException.class, () -> none.seal(HERE, TOKEN));
  }

  @ParameterizedTest(name = "key {0}")
  @CsvSource({"not base64!!", "c2hvcnQ=", "''"})
  void aMalformedKeyIsRefusedWithoutQuotingIt(String key) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> VaultKeys.of(Optional.of(key), List.of()));
    assertFalse(!key.isEmpty() && e.getMessage().contains(key), e.getMessage());
    assertTrue(e.getMessage().contains("32"), e.getMessage());
  }

  @Test
  void theKeyIdIsStableAndRevealsNothing() {
    VaultKeys keys = VaultKeys.of(Optional.of(KEY_A), List.of());
    assertEquals(keys.currentId(), VaultKeys.of(Optional.of(KEY_A), List.of()).currentId());
    assertEquals(16, keys.currentId().orElseThrow().length());
    assertFalse(keys.toString().contains(KEY_A));
  }
}
