package io.agentruntime.runtime.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.TextNode;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.runtime.model.ToolSpec;
import io.agentruntime.runtime.tools.CredentialScope;
import io.agentruntime.runtime.tools.ToolConnection;
import io.agentruntime.runtime.tools.ToolExecutor;
import io.agentruntime.runtime.tools.ToolInvocation;
import io.agentruntime.runtime.tools.ToolResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The vaults of a node after a key rotation (docs/operations.md): the new key is current, the old
 * one still opens, and an operator's re-seal moves every credential the old key sealed to the new
 * one, once, without changing its secret.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VaultsTest {

  private static final String OLD_KEY = VaultCipherTest.KEY_A;
  private static final String NEW_KEY = VaultCipherTest.KEY_B;
  private static final VaultCaller OLGA = new VaultCaller("olga", true);

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder()
          .withName("VaultsTest")
          .withCustomConfig(
              ConfigFactory.parseString(
                      """
                      pekko.loglevel = WARNING
                      pekko.actor.provider = cluster
                      pekko.remote.artery.canonical.hostname = "127.0.0.1"
                      pekko.remote.artery.canonical.port = 0
                      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                      pekko.persistence.testkit.events.serialize = on
                      agent-runtime.vault.key = "%s"
                      agent-runtime.vault.old-keys = "%s"
                      """
                          .formatted(NEW_KEY, OLD_KEY))
                  .withFallback(PersistenceTestKitPlugin.config())
                  .withFallback(PersistenceTestKitSnapshotPlugin.config()))
          .build();

  private Vaults vaults;

  @BeforeAll
  void joinItself() {
    Cluster cluster = Cluster.get(testKit.system());
    TestProbe<SelfUp> up = testKit.createTestProbe(SelfUp.class);
    cluster.subscriptions().tell(Subscribe.create(up.ref(), SelfUp.class));
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    up.expectMessageClass(SelfUp.class, Duration.ofSeconds(20));
    vaults = Vaults.get(testKit.system());
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  @Test
  void aReSealMovesWhatTheOldKeySealedToTheNewKeyOnce() {
    Vault vault = await(vaults.createVault("acme", OLGA, null, "crm", Map.of(), null));
    // A credential stored before the rotation, sealed under the old key.
    VaultCipher oldCipher = new VaultCipher(VaultKeys.of(Optional.of(OLD_KEY), List.of()));
    Sealed underOld =
        oldCipher.seal(new VaultCipher.Where("acme", vault.id(), "cred_before"), "tok-before");
    Credential before =
        new Credential(
            "cred_before",
            "before",
            Map.of(),
            1,
            1,
            new Credential.Auth("static_bearer", "https://crm.example/mcp", null, underOld),
            null);
    await(
        ClusterSharding.get(testKit.system())
            .entityRefFor(VaultEntity.TYPE_KEY, "acme")
            .<VaultReply>ask(
                r -> new VaultCommand.CreateCredential(OLGA, vault.id(), before, r),
                Duration.ofSeconds(5)));
    Credential after =
        await(
            vaults.createCredential(
                "acme",
                OLGA,
                vault.id(),
                "after",
                Map.of(),
                new CredentialInput.Auth(
                    "static_bearer", "https://crm.example/mcp", "tok-after", null, false),
                null));

    assertEquals(1, await(vaults.reseal("acme", OLGA)), "only the old key's credential");
    assertEquals(0, await(vaults.reseal("acme", OLGA)), "nothing is left to move");

    VaultCipher newOnly = new VaultCipher(VaultKeys.of(Optional.of(NEW_KEY), List.of()));
    String newId = newOnly.keys().currentId().orElseThrow();
    Vault read = await(vaults.readForCall("acme", "olga", List.of(vault.id()))).get(0);
    for (Credential c : read.credentials().values()) {
      assertEquals(newId, c.auth().secret().keyId(), c.id());
    }
    assertEquals(
        "tok-before",
        newOnly.open(
            new VaultCipher.Where("acme", vault.id(), "cred_before"),
            read.credentials().get("cred_before").auth().secret()),
        "the same secret, now opened without the old key");
    assertEquals(
        "tok-after",
        newOnly.open(
            new VaultCipher.Where("acme", vault.id(), after.id()),
            read.credentials().get(after.id()).auth().secret()));
  }

  @Test
  void onlyAnOperatorReSeals() {
    CompletionException refused =
        assertThrows(
            CompletionException.class,
            () -> await(vaults.reseal("acme", new VaultCaller("ada", false))));
    assertEquals(
        "role_missing", assertInstanceOf(VaultRefused.class, refused.getCause()).problem().code());
  }

  /** A tool executor that answers every call with the bearer it was handed (or "none"). */
  private static final class BearerEcho implements ToolExecutor {
    @Override
    public CompletionStage<ToolResult> call(ToolInvocation invocation) {
      String bearer = invocation.bearer() == null ? "none" : invocation.bearer().token();
      return CompletableFuture.completedFuture(new ToolResult.Succeeded(TextNode.valueOf(bearer)));
    }

    @Override
    public CompletionStage<List<ToolSpec>> discover(String tenant, ToolConnection.Mcp connection) {
      return CompletableFuture.completedFuture(List.of());
    }

    @Override
    public void release(String sessionKey) {}
  }

  private Credential credential(Vault vault, String url, String token) {
    return await(
        vaults.createCredential(
            "acme",
            OLGA,
            vault.id(),
            "c",
            Map.of(),
            new CredentialInput.Auth("static_bearer", url, token, null, false),
            null));
  }

  /** What a call of {@code connection} by a session of ada with {@code vaultIds} is handed. */
  private String callWith(ToolConnection connection, List<String> vaultIds) {
    ToolResult result =
        await(
            vaults
                .guarding(new BearerEcho())
                .call(
                    new io.agentruntime.runtime.tools.ToolInvocation(
                        "acme",
                        "acme:s1",
                        connection,
                        "echo",
                        null,
                        "k1",
                        Duration.ofSeconds(5),
                        new CredentialScope("ada", vaultIds),
                        null)));
    if (result instanceof ToolResult.Failed f) {
      return f.code();
    }
    return ((ToolResult.Succeeded) result).result().asText();
  }

  @Test
  void aCallIsHandedTheCredentialItsSessionMayUseAndNoOther() {
    VaultCaller ada = new VaultCaller("ada", false);
    Vault shared = await(vaults.createVault("acme", OLGA, true, "shared", Map.of(), null));
    Vault adas = await(vaults.createVault("acme", ada, null, "mine", Map.of(), null));
    Vault bobs =
        await(
            vaults.createVault("acme", new VaultCaller("bob", false), null, "bob", Map.of(), null));
    String url = "https://docs.example/mcp";
    Credential inShared = credential(shared, url, "tok-shared");
    Credential inAdas =
        await(
            vaults.createCredential(
                "acme",
                ada,
                adas.id(),
                "c",
                Map.of(),
                new CredentialInput.Auth("static_bearer", url + "/", "tok-ada", null, false),
                null));
    Credential inBobs =
        await(
            vaults.createCredential(
                "acme",
                new VaultCaller("bob", false),
                bobs.id(),
                "c",
                Map.of(),
                new CredentialInput.Auth("static_bearer", url, "tok-bob", null, false),
                null));
    var http =
        (Function<String, ToolConnection>)
            ref -> new ToolConnection.Http("t", url, null, null, false, ref);
    var mcp = new ToolConnection.Mcp("docs", url, List.of(), null);

    // by reference
    assertEquals(
        "tok-shared",
        callWith(http.apply("vault:" + shared.id() + "/" + inShared.id()), List.of(shared.id())));
    assertEquals(
        "tok-ada", callWith(http.apply("vault:" + inAdas.id()), List.of(shared.id(), adas.id())));
    assertEquals(
        CallCredentials.UNAVAILABLE,
        callWith(http.apply("vault:" + shared.id() + "/" + inShared.id()), List.of(adas.id())),
        "a vault the session was not created with");
    assertEquals(
        CallCredentials.UNAVAILABLE,
        callWith(http.apply("vault:" + bobs.id() + "/" + inBobs.id()), List.of(bobs.id())),
        "another user's vault, even when named");
    assertEquals(
        CallCredentials.UNAVAILABLE,
        callWith(http.apply("vault:" + shared.id() + "/cred_gone"), List.of(shared.id())));
    // an MCP connection without secretRef: the one credential for its URL
    assertEquals("tok-ada", callWith(mcp, List.of(adas.id(), bobs.id())), "bob's does not count");
    assertEquals("none", callWith(mcp, List.of()), "a session without vaults");
    assertEquals(
        CallCredentials.AMBIGUOUS, callWith(mcp, List.of(shared.id(), adas.id())), "two fit");
    assertEquals(
        "none",
        callWith(
            new ToolConnection.Mcp("other", "https://other.example/mcp", List.of(), null),
            List.of(shared.id())),
        "none for its URL");
  }
}
