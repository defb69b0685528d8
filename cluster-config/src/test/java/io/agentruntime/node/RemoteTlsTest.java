package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How agent-runtime.node.remote-tls turns into Artery's settings. That two nodes really join over
 * TLS and a node without a trusted key cannot is RemoteTlsProcessIntegrationTest's part.
 */
class RemoteTlsTest {

  @TempDir Path dir;

  @Test
  void everyProfileSpeaksPlainTcpUnlessAKeyStoreIsSet() {
    for (String profile : List.of("dev", "local", "prod", "kubernetes")) {
      Config config = ConfigFactory.load(profile);
      assertTrue(NodeSettings.fromConfig(config).remoteTls().isEmpty(), profile);
      assertEquals("tcp", config.getString("pekko.remote.artery.transport"), profile);
    }
  }

  @Test
  void aKeyStoreTurnsOnTlsWithMutualAuthenticationThroughBothStores() throws IOException {
    Path keyStore = Files.createFile(dir.resolve("node.p12"));
    Path trustStore = Files.createFile(dir.resolve("trust.p12"));
    Config prod =
        ConfigFactory.parseMap(
                Map.of(
                    "agent-runtime.node.remote-tls.key-store", keyStore.toString(),
                    "agent-runtime.node.remote-tls.trust-store", trustStore.toString(),
                    "agent-runtime.node.remote-tls.password", "s3cret"))
            .withFallback(ConfigFactory.load("prod"));

    RemoteTls tls = NodeSettings.fromConfig(prod).remoteTls().orElseThrow();
    Config artery = tls.applyTo(prod).getConfig("pekko.remote.artery");

    assertEquals("tls-tcp", artery.getString("transport"));
    Config engine = artery.getConfig("ssl.config-ssl-engine");
    assertEquals(keyStore.toString(), engine.getString("key-store"));
    assertEquals(trustStore.toString(), engine.getString("trust-store"));
    for (String password : List.of("key-store-password", "key-password", "trust-store-password")) {
      assertEquals("s3cret", engine.getString(password), password);
    }
    assertTrue(engine.getBoolean("require-mutual-authentication"));
    assertFalse(tls.toString().contains("s3cret"), "the password never reaches a log line");
  }

  @Test
  void aKeyStoreAloneOrAStoreThatCannotBeReadStopsTheNode() {
    IllegalArgumentException missing =
        assertThrows(IllegalArgumentException.class, () -> new RemoteTls("node.p12", "", "pw"));
    assertTrue(missing.getMessage().contains("AGENT_RUNTIME_REMOTE_TLS_TRUSTSTORE"));
    RemoteTls absent =
        new RemoteTls(dir.resolve("none.p12").toString(), dir.resolve("t.p12").toString(), "pw");
    IllegalArgumentException unreadable =
        assertThrows(IllegalArgumentException.class, () -> absent.applyTo(ConfigFactory.empty()));
    assertTrue(unreadable.getMessage().contains("none.p12"), unreadable.getMessage());
  }
}
