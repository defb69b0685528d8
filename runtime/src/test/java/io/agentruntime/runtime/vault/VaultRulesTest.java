package io.agentruntime.runtime.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scope rules of a tenant's vaults, as a table: who sees (else 404) and who changes (else 403)
 * a tenant-wide vault and a user's own, and the bounds.
 */
class VaultRulesTest {

  static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  static final VaultRules.Limits LIMITS = new VaultRules.Limits(2, 1);
  static final VaultCaller OLGA_OPERATOR = new VaultCaller("olga", true);
  static final VaultCaller ADA = new VaultCaller("ada", false);
  static final VaultCaller BOB = new VaultCaller("bob", false);
  static final Sealed SEALED = new Sealed("k1", "bm9uY2U=", "Y2lwaGVy");

  /** A tenant with a tenant-wide vault "shared" and ada's own "mine", each with one credential. */
  static TenantVaults state() {
    TenantVaults s = TenantVaults.EMPTY;
    s = s.apply(new VaultEvent.VaultCreated("shared", null, "Shared", Map.of(), null, "olga", NOW));
    s = s.apply(new VaultEvent.VaultCreated("mine", "ada", "Ada's", Map.of(), null, "ada", NOW));
    s = s.apply(new VaultEvent.CredentialCreated("shared", credential("c1"), "olga", NOW));
    s = s.apply(new VaultEvent.CredentialCreated("mine", credential("c2"), "ada", NOW));
    return s;
  }

  static Credential credential(String id) {
    return new Credential(
        id,
        id,
        Map.of(),
        1,
        1,
        new Credential.Auth("static_bearer", "https://t.example/mcp", null, SEALED),
        null);
  }

  static Stream<Arguments> table() {
    Function<VaultCaller, VaultCommand> getShared =
        c -> new VaultCommand.GetVault(c, "shared", null);
    Function<VaultCaller, VaultCommand> getMine = c -> new VaultCommand.GetVault(c, "mine", null);
    Function<VaultCaller, VaultCommand> deleteShared =
        c -> new VaultCommand.DeleteVault(c, "shared", null);
    Function<VaultCaller, VaultCommand> deleteMine =
        c -> new VaultCommand.DeleteVault(c, "mine", null);
    Function<VaultCaller, VaultCommand> rotateMine =
        c ->
            new VaultCommand.UpdateCredential(
                c,
                "mine",
                "c2",
                false,
                null,
                new Credential.Auth("static_bearer", null, null, SEALED),
                null);
    Function<VaultCaller, VaultCommand> rotateAsOAuth =
        c ->
            new VaultCommand.UpdateCredential(
                c,
                "mine",
                "c2",
                false,
                null,
                new Credential.Auth("mcp_oauth", null, null, SEALED),
                null);
    Function<VaultCaller, VaultCommand> deleteUnknownCredential =
        c -> new VaultCommand.DeleteCredential(c, "mine", "nope", null);
    Function<VaultCaller, VaultCommand> addToMine =
        c -> new VaultCommand.CreateCredential(c, "mine", credential("c3"), null);
    Function<VaultCaller, VaultCommand> newShared =
        c -> new VaultCommand.CreateVault(c, "v3", true, null, null, null, null);
    Function<VaultCaller, VaultCommand> newOwn =
        c -> new VaultCommand.CreateVault(c, "v3", false, null, null, null, null);
    Function<VaultCaller, VaultCommand> reseal = c -> new VaultCommand.ReadSealed(c, null);
    return Stream.of(
        // what, who, refused with (null: accepted)
        Arguments.of("get tenant-wide", getShared, ADA, null),
        Arguments.of("get tenant-wide", getShared, OLGA_OPERATOR, null),
        Arguments.of("get own", getMine, ADA, null),
        Arguments.of("get another user's", getMine, BOB, "vault_not_found"),
        Arguments.of("get another user's, as operator", getMine, OLGA_OPERATOR, "vault_not_found"),
        Arguments.of("delete tenant-wide, as user", deleteShared, ADA, "role_missing"),
        Arguments.of("delete tenant-wide, as operator", deleteShared, OLGA_OPERATOR, null),
        Arguments.of("delete own", deleteMine, ADA, null),
        Arguments.of("delete another user's", deleteMine, BOB, "vault_not_found"),
        Arguments.of("rotate own", rotateMine, ADA, null),
        Arguments.of("rotate another user's", rotateMine, BOB, "vault_not_found"),
        Arguments.of("rotate to another type", rotateAsOAuth, ADA, "invalid_field"),
        Arguments.of(
            "delete unknown credential", deleteUnknownCredential, ADA, "credential_not_found"),
        Arguments.of("more credentials than the bound", addToMine, ADA, "too_many_credentials"),
        Arguments.of("more vaults than the bound", newOwn, ADA, "too_many_vaults"),
        Arguments.of("tenant-wide vault, as user", newShared, ADA, "role_missing"),
        Arguments.of("re-seal, as user", reseal, ADA, "role_missing"),
        Arguments.of("re-seal, as operator", reseal, OLGA_OPERATOR, null));
  }

  @ParameterizedTest(name = "{0} by {2}: {3}")
  @MethodSource("table")
  void decides(
      String what, Function<VaultCaller, VaultCommand> command, VaultCaller who, String refused) {
    VaultRules.Decision d = VaultRules.decide(state(), command.apply(who), LIMITS, NOW);
    assertEquals(refused, d.refused() == null ? null : d.refused().code(), what);
    if (refused != null) {
      assertNull(d.event(), "a refusal persists nothing");
    }
  }

  @Test
  void aRotationKeepsTheServerUrlAndChangesOnlyTheSecret() {
    Sealed next = new Sealed("k2", "bm9uY2Uy", "Y2lwaGVyMg==");
    VaultRules.Decision d =
        VaultRules.decide(
            state(),
            new VaultCommand.UpdateCredential(
                ADA,
                "mine",
                "c2",
                false,
                null,
                new Credential.Auth("static_bearer", null, null, next),
                null),
            LIMITS,
            NOW);
    Credential rotated = ((VaultEvent.CredentialUpdated) d.event()).credential();
    assertEquals("https://t.example/mcp", rotated.auth().mcpServerUrl());
    assertEquals(next, rotated.auth().secret());
    assertEquals(NOW.getEpochSecond(), rotated.updatedAt());
  }

  @Test
  void aSessionReadsOnlyItsOwnersVaultsAmongThoseItNames() {
    VaultReply forBob =
        VaultRules.reply(
            state(), new VaultCommand.ReadForCall(BOB, List.of("shared", "mine", "gone"), null));
    assertEquals(List.of("shared"), forBob.vaults().stream().map(Vault::id).toList());
    VaultReply forAda =
        VaultRules.reply(state(), new VaultCommand.ReadForCall(ADA, List.of("mine"), null));
    assertEquals(SEALED, forAda.vaults().get(0).credentials().get("c2").auth().secret());
  }

  @Test
  void repliesToClientsHoldNoSecret() {
    VaultReply got = VaultRules.reply(state(), new VaultCommand.GetVault(ADA, "mine", null));
    assertNull(got.vaults().get(0).credentials().get("c2").auth().secret());
    VaultReply listed = VaultRules.reply(state(), new VaultCommand.ListVaults(ADA, null));
    assertEquals(List.of("mine", "shared"), listed.vaults().stream().map(Vault::id).toList());
    listed.vaults().forEach(v -> assertEquals(Map.of(), v.credentials()));
  }

  @Test
  void theSameRequestKeyFindsTheVaultItMade() {
    TenantVaults s =
        TenantVaults.EMPTY.apply(
            new VaultEvent.VaultCreated("v1", "ada", null, Map.of(), "key-1", "ada", NOW));
    VaultCommand again = new VaultCommand.CreateVault(ADA, "v2", false, null, null, "key-1", null);
    assertNull(VaultRules.decide(s, again, LIMITS, NOW).event());
    assertEquals("v1", VaultRules.reply(s, again).vaults().get(0).id());
  }

  @Test
  void aReSealReplacesOnlyTheSecretItReadAndOnlyForAnOperator() {
    Sealed resealed = new Sealed("k2", "bm9uY2Uz", "Y2lwaGVyMw==");
    VaultCommand asRead =
        new VaultCommand.Reseal(OLGA_OPERATOR, "mine", "c2", SEALED, resealed, null);
    VaultEvent.CredentialUpdated event =
        (VaultEvent.CredentialUpdated) VaultRules.decide(state(), asRead, LIMITS, NOW).event();
    assertEquals(resealed, event.credential().auth().secret());
    assertEquals(1, event.credential().updatedAt(), "the same secret: not an update for clients");

    Sealed rotatedMeanwhile = new Sealed("k1", "b3RoZXI=", "b3RoZXI=");
    VaultCommand stale =
        new VaultCommand.Reseal(OLGA_OPERATOR, "mine", "c2", rotatedMeanwhile, resealed, null);
    assertNull(
        VaultRules.decide(state(), stale, LIMITS, NOW).event(),
        "a rotation since the read is never undone");
    assertNull(
        VaultRules.decide(
                state(),
                new VaultCommand.Reseal(ADA, "mine", "c2", SEALED, resealed, null),
                LIMITS,
                NOW)
            .event(),
        "only an operator re-seals");
  }
}
