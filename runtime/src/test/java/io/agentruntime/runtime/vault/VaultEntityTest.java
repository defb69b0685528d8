package io.agentruntime.runtime.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.agentruntime.runtime.testing.GoldenSamples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A tenant's vaults are kept durably by its entity, with secrets only sealed in what it journals;
 * its events are a stored contract with golden samples (run with {@code -Dgolden.write=true} to
 * write missing ones).
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VaultEntityTest {

  private static final Path GOLDEN = Path.of("src", "test", "resources", "golden", "vault");
  private static final Instant AT = Instant.parse("2025-03-04T05:06:07.890123Z");
  private static final String TOKEN = "tok-entity-7d1c";

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder()
          .withName("VaultEntityTest")
          .withCustomConfig(
              EventSourcedBehaviorTestKit.config()
                  .withFallback(ConfigFactory.parseString("pekko.loglevel = WARNING")))
          .build();

  private final VaultCipher cipher =
      new VaultCipher(VaultKeys.of(Optional.of(VaultCipherTest.KEY_A), List.of()));

  private EventSourcedBehaviorTestKit<VaultCommand, VaultEvent, TenantVaults> kit() {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        VaultEntity.create("acme", new VaultRules.Limits(10, 10), Clock.fixed(AT, ZoneOffset.UTC)),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
  }

  @Test
  void vaultsAndCredentialsAreKeptAcrossARestartAndNeverInClear() throws Exception {
    var kit = kit();
    VaultCaller ada = new VaultCaller("ada", false);
    kit.<VaultReply>runCommand(
        r -> new VaultCommand.CreateVault(ada, "vault_1", false, "mine", Map.of(), null, r));
    Sealed sealed = cipher.seal(new VaultCipher.Where("acme", "vault_1", "cred_1"), TOKEN);
    Credential credential =
        new Credential(
            "cred_1",
            "crm",
            Map.of(),
            1,
            1,
            new Credential.Auth("static_bearer", "https://crm.example/mcp", null, sealed),
            null);
    var created =
        kit.<VaultReply>runCommand(
            r -> new VaultCommand.CreateCredential(ada, "vault_1", credential, r));
    assertNull(
        created.reply().vaults().get(0).credentials().get("cred_1").auth().secret(),
        "the reply to a client's command holds no secret, not even sealed");
    byte[] journaled =
        SerializationExtension.get(testKit.system().classicSystem())
            .serialize(created.event())
            .get();
    assertFalse(new String(journaled, StandardCharsets.ISO_8859_1).contains(TOKEN));

    kit.restart();
    VaultReply forCall =
        kit.<VaultReply>runCommand(r -> new VaultCommand.ReadForCall(ada, List.of("vault_1"), r))
            .reply();
    Sealed kept = forCall.vaults().get(0).credentials().get("cred_1").auth().secret();
    assertEquals(TOKEN, cipher.open(new VaultCipher.Where("acme", "vault_1", "cred_1"), kept));

    var deleted = kit.<VaultReply>runCommand(r -> new VaultCommand.DeleteVault(ada, "vault_1", r));
    assertTrue(deleted.event() instanceof VaultEvent.VaultDeleted);
    assertEquals(
        List.of(),
        kit.<VaultReply>runCommand(r -> new VaultCommand.ListVaults(ada, r)).reply().vaults());
  }

  @Test
  void aRefusalJournalsNothing() {
    var kit = kit();
    var refused =
        kit.<VaultReply>runCommand(
            r -> new VaultCommand.GetVault(new VaultCaller("ada", false), "vault_x", r));
    assertTrue(refused.hasNoEvents());
    assertEquals("vault_not_found", refused.reply().problem().code());
  }

  @Test
  void theStoredEventsStillReadAsTheirSamples() throws Exception {
    Sealed sealed = new Sealed("0123456789abcdef", "bm9uY2Vub25jZQ==", "Y2lwaGVydGV4dA==");
    Credential credential =
        new Credential(
            "cred_1",
            "crm",
            Map.of("team", "sales"),
            1741064767,
            1741064767,
            new Credential.Auth(
                "mcp_oauth", "https://crm.example/mcp", "2026-01-01T00:00:00Z", sealed),
            "5f2b");
    List<VaultEvent> samples =
        List.of(
            new VaultEvent.VaultCreated(
                "vault_1", "ada", "mine", Map.of("k", "v"), "9a1c", "ada", AT),
            new VaultEvent.VaultUpdated("vault_1", "renamed", Map.of(), "ada", AT),
            new VaultEvent.VaultDeleted("vault_1", "ada", AT),
            new VaultEvent.CredentialCreated("vault_1", credential, "ada", AT),
            new VaultEvent.CredentialUpdated("vault_1", credential, "ada", AT),
            new VaultEvent.CredentialDeleted("vault_1", "cred_1", "ada", AT));
    for (VaultEvent sample : samples) {
      GoldenSamples.assertReadsAsStored(
          testKit.system(), GOLDEN.resolve(sample.getClass().getSimpleName()), sample);
    }
  }
}
