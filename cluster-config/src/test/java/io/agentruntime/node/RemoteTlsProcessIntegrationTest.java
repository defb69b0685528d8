package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remoting over TLS with mutual authentication, with real node processes: two nodes holding a key
 * the test makes with the JDK's keytool join one cluster over tls-tcp, and a session hosted by one
 * is served through the other. A third process that trusts the cluster's certificate but presents a
 * key of its own is refused at the handshake and never becomes a member.
 */
class RemoteTlsProcessIntegrationTest {

  private static final String PASSWORD = "test-store-password";

  @TempDir Path home;
  private ProcessCluster cluster;
  private NodeProcess intruder;

  @AfterEach
  void stop() throws Exception {
    if (intruder != null && intruder.isAlive()) {
      intruder.kill();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void nodesJoinOverTlsAndAProcessWithoutATrustedKeyCannot() throws Exception {
    Path stores = Files.createDirectories(home.resolve("stores"));
    Path clusterKey = keyPair(stores, "cluster");
    Path trustsTheCluster = trustStore(stores, clusterKey);
    Path ownKey = keyPair(stores, "intruder");

    cluster = new ProcessCluster(home, tls(clusterKey, trustsTheCluster));
    cluster.startNode();
    cluster.startNode();
    cluster.awaitMembersUp(2);
    for (NodeProcess node : cluster.nodes) {
      assertTrue(
          Files.readString(node.log).contains("Remoting started with transport [Artery tls-tcp]"),
          node.tail());
    }

    HttpClientSupport viaFirst = cluster.client(0);
    String onSecond = null;
    for (int i = 0; i < 24 && onSecond == null; i++) {
      String session = "tls-" + i;
      assertEquals(
          201,
          viaFirst.put("/v1/sessions/" + session, "{\"memory\": {\"n\": " + i + "}}").statusCode());
      if (cluster.hostOf(session) == 1) {
        onSecond = session;
      }
    }
    assertNotNull(onSecond, "a session hosted by the second node");
    HttpResponse<String> answer = viaFirst.get("/v1/sessions/" + onSecond);
    assertEquals(200, answer.statusCode(), answer.body());
    assertEquals(
        cluster.node(1).clusterAddress(),
        answer.headers().firstValue("X-Agent-Node").orElse(null),
        "served through the first node from its host, the second");
    assertEquals(cluster.client(1).get("/v1/sessions/" + onSecond).body(), answer.body());

    Map<String, String> env = cluster.nodeEnvironment();
    env.putAll(tls(ownKey, trustsTheCluster));
    intruder =
        NodeProcess.start(
            "node",
            home.resolve("intruder"),
            env,
            List.of("-Dagent-runtime.cassandra.keyspace=" + cluster.keyspace()));
    awaitOutput(intruder, "SSLHandshakeException: Received fatal alert", Duration.ofSeconds(60));
    Thread.sleep(3_000);
    String members =
        new HttpClientSupport(cluster.node(0).managementUrl(), null).get("/cluster/members").body();
    assertFalse(members.contains(intruder.clusterAddress()), "not a member: " + members);
    assertEquals(2, members.split("\"status\":\"Up\"", -1).length - 1, members);
    assertTrue(intruder.isAlive(), "still trying to join:\n" + intruder.tail());
    assertNotEquals(
        200,
        new HttpClientSupport(intruder.baseUrl(), null).get("/health/ready").statusCode(),
        "the intruder never becomes ready");
  }

  private static Map<String, String> tls(Path keyStore, Path trustStore) {
    return Map.of(
        "AGENT_RUNTIME_REMOTE_TLS_KEYSTORE", keyStore.toString(),
        "AGENT_RUNTIME_REMOTE_TLS_TRUSTSTORE", trustStore.toString(),
        "AGENT_RUNTIME_REMOTE_TLS_PASSWORD", PASSWORD);
  }

  /** A PKCS12 key store {@code name}.p12 with a new self-signed EC key pair. */
  private static Path keyPair(Path dir, String name) throws Exception {
    Path store = dir.resolve(name + ".p12");
    keytool(
        "-genkeypair -alias %s -keyalg EC -groupname secp256r1 -dname CN=%s -validity 2"
            + " -storetype PKCS12 -keystore %s -storepass %s -keypass %s",
        name, name, store, PASSWORD, PASSWORD);
    return store;
  }

  /** A trust store holding the certificate of the key pair in {@code keyStore}. */
  private static Path trustStore(Path dir, Path keyStore) throws Exception {
    Path certificate = dir.resolve("cluster.crt");
    Path store = dir.resolve("trust.p12");
    keytool(
        "-exportcert -alias cluster -keystore %s -storepass %s -file %s",
        keyStore, PASSWORD, certificate);
    keytool(
        "-importcert -noprompt -alias cluster -file %s -storetype PKCS12 -keystore %s"
            + " -storepass %s",
        certificate, store, PASSWORD);
    return store;
  }

  /** Runs the JDK's keytool with {@code format}'s words (no word holds a space). */
  private static void keytool(String format, Object... values)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(format.formatted(values).split(" ")));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "keytool did not end");
    assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + output);
  }

  private static void awaitOutput(NodeProcess node, String text, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.readString(node.log).contains(text)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + text + " within " + timeout + ":\n" + node.tail());
      }
      Thread.sleep(200);
    }
  }
}
