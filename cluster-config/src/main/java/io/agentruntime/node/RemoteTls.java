package io.agentruntime.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Remoting between the nodes over TLS with mutual authentication (Artery's {@code tls-tcp}): each
 * node presents the key in {@code keyStore} and accepts only peers whose certificate {@code
 * trustStore} trusts, so a process without such a key can neither join the cluster nor send to its
 * sharding regions. One password opens both stores and the key. Off unless a key store is
 * configured ({@code agent-runtime.node.remote-tls}).
 */
record RemoteTls(String keyStore, String trustStore, String password) {

  RemoteTls {
    if (trustStore.isBlank() || password.isEmpty()) {
      throw new IllegalArgumentException(
          "remoting over TLS needs a trust store and a password as well as the key store: set"
              + " AGENT_RUNTIME_REMOTE_TLS_TRUSTSTORE and AGENT_RUNTIME_REMOTE_TLS_PASSWORD");
    }
  }

  static Optional<RemoteTls> fromConfig(Config root) {
    Config c = root.getConfig("agent-runtime.node.remote-tls");
    String keyStore = c.getString("key-store");
    return keyStore.isBlank()
        ? Optional.empty()
        : Optional.of(new RemoteTls(keyStore, c.getString("trust-store"), c.getString("password")));
  }

  @Override
  public String toString() {
    return "RemoteTls[keyStore=" + keyStore + ", trustStore=" + trustStore + "]";
  }

  /** {@code config} with Artery on {@code tls-tcp} through these stores. */
  Config applyTo(Config config) {
    for (String store : new String[] {keyStore, trustStore}) {
      if (!Files.isReadable(Path.of(store))) {
        throw new IllegalArgumentException("remoting over TLS: cannot read " + store);
      }
    }
    String engine = "pekko.remote.artery.ssl.config-ssl-engine.";
    return ConfigFactory.parseMap(
            Map.of(
                "pekko.remote.artery.transport",
                "tls-tcp",
                engine + "key-store",
                keyStore,
                engine + "trust-store",
                trustStore,
                engine + "key-store-password",
                password,
                engine + "key-password",
                password,
                engine + "trust-store-password",
                password,
                engine + "require-mutual-authentication",
                true))
        .withFallback(config);
  }
}
