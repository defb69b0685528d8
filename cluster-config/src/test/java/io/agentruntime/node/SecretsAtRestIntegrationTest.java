package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.RecordingToolServer.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets stay out of storage and logs. A dev node (a process of its own, with its managed
 * Cassandra) runs a turn whose model needs an API key and whose HTTP tool needs a bearer secret
 * named by {@code secretRef} (granted to the dev tenant as an environment variable, in the secrets
 * file); both are used, as the fake servers see, and two careless tools echo the token back (in a
 * result, in an error). Then Cassandra's files (commit log while the node runs; sstables, flushed
 * on its shutdown, afterwards) and everything the node logged are searched for the two values:
 * neither is there, while the conversation itself is (so the search does find what is stored).
 */
class SecretsAtRestIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  private final FakeOpenAiServer model = FakeOpenAiServer.start();
  private final RecordingToolServer tool = RecordingToolServer.start();
  private NodeProcess node;

  @AfterEach
  void stop() throws Exception {
    if (node != null && node.isAlive()) {
      node.terminate(Duration.ofSeconds(90));
    }
    model.close();
    tool.close();
  }

  @Test
  void neitherTheModelKeyNorAToolSecretIsStoredOrLogged() throws Exception {
    String modelKey = "sk-model-" + UUID.randomUUID();
    String toolSecret = "tool-secret-" + UUID.randomUUID();
    String marker = "conversation-marker-" + UUID.randomUUID();
    tool.script("/send_email", Reply.json("{\"sent\": true}"));
    // Careless tools echo their token back, in a result or an error: it must not be journaled
    // either.
    tool.script("/whoami", Reply.json("{\"token\": \"" + toolSecret + "\"}"));
    tool.script("/refuse", Reply.text(401, "token " + toolSecret + " is not valid"));
    model.enqueue(
        FakeOpenAiServer.toolCalls(
            FakeOpenAiServer.call("c1", "send_email", "{\"to\": \"ada@example.com\"}"),
            FakeOpenAiServer.call("c2", "whoami", "{}"),
            FakeOpenAiServer.call("c3", "refuse", "{}")),
        FakeOpenAiServer.text("Sent. " + marker));

    // The dev key's tenant is dev: the secrets file grants it the variable EMAIL_TOKEN.
    Path secrets = home.resolve("secrets.json");
    Files.writeString(
        secrets, "{\"tenants\": {\"dev\": {\"EMAIL_TOKEN\": {\"env\": \"EMAIL_TOKEN\"}}}}");
    Map<String, String> env =
        Map.of(
            "AGENT_RUNTIME_SECRETS_FILE",
            secrets.toString(),
            "AGENT_RUNTIME_CASSANDRA_PORT",
            Integer.toString(NodeProcess.freePort()),
            "AGENT_RUNTIME_MODEL_BASE_URL",
            model.baseUrl(),
            "AGENT_RUNTIME_MODEL_NAME",
            "fake-model",
            "AGENT_RUNTIME_MODEL_API_KEY",
            modelKey,
            "EMAIL_TOKEN",
            toolSecret);
    List<String> props =
        List.of(
            "-Dagent-runtime.cassandra.managed.storage-port=" + NodeProcess.freePort(),
            "-Dagent-runtime.cassandra.managed.ssl-storage-port=" + NodeProcess.freePort());
    node = NodeProcess.start("dev", home, env, props);
    node.awaitReady(Duration.ofSeconds(120));
    HttpClientSupport dev = new HttpClientSupport(node.baseUrl(), "dev-key");

    String tools =
        List.of("send_email", "whoami", "refuse").stream()
            .map(
                name ->
                    "{\"name\": \""
                        + name
                        + "\", \"kind\": \"http\", \"url\": \""
                        + tool.url("/" + name)
                        + "\", \"secretRef\": \"EMAIL_TOKEN\"}")
            .collect(java.util.stream.Collectors.joining(", "));
    assertEquals(
        201,
        dev.put(
                "/v1/sessions/mail",
                "{\"tools\": [" + tools + "], \"permissions\": {\"tools\": {\"*\": \"allow\"}}}")
            .statusCode());
    var sent =
        dev.post(
            "/v1/sessions/mail/messages?waitSeconds=30",
            "{\"content\": \"Email Ada. " + marker + "\"}");
    JsonNode turn = JSON.readTree(sent.body());
    assertEquals("completed", turn.path("status").asText(), sent.body());

    assertEquals(
        "Bearer " + toolSecret,
        tool.calls("/send_email").get(0).authorization(),
        "the tool got its secret");
    assertTrue(
        model.recorded().stream()
            .allMatch(r -> ("Bearer " + modelKey).equals(r.header("Authorization"))),
        "the model got its key");
    // A client asking for the session sees the reference, never the value.
    String session = dev.get("/v1/sessions/mail").body();
    assertTrue(session.contains("EMAIL_TOKEN") && !session.contains(toolSecret), session);
    String transcript = dev.get("/v1/sessions/mail/messages").body();
    assertFalse(transcript.contains(toolSecret), transcript);
    assertTrue(transcript.contains("[redacted]"), "the echoed token is redacted: " + transcript);

    Path cassandra = home.resolve("cassandra");
    assertTrue(
        found(cassandra, marker),
        "the search finds the conversation in Cassandra's files (commit log)");
    assertEquals(List.of(), filesHolding(cassandra, modelKey, toolSecret), "while the node runs");

    node.terminate(Duration.ofSeconds(90));
    List<Path> sstables = filesNamed(cassandra, "-Data.db");
    assertFalse(sstables.isEmpty(), "Cassandra flushed sstables on shutdown");
    assertEquals(
        List.of(),
        filesHolding(cassandra, modelKey, toolSecret),
        "after shutdown, sstables included");
    assertEquals(
        List.of(),
        filesHolding(home, modelKey, toolSecret),
        "nothing under the node's home: logs included");
    assertEquals(
        List.of(), filesHolding(node.log, modelKey, toolSecret), "the node's console output");
    assertTrue(
        found(node.log, "/v1/sessions/mail"),
        "the search reads the log: it finds the request lines");
  }

  /** Files under {@code root} holding any of {@code values} as UTF-8 bytes. */
  private static List<Path> filesHolding(Path root, String... values) throws IOException {
    List<Path> holding = new ArrayList<>();
    for (Path file : files(root)) {
      byte[] bytes = Files.readAllBytes(file);
      for (String value : values) {
        if (indexOf(bytes, value.getBytes(StandardCharsets.UTF_8)) >= 0) {
          holding.add(file);
        }
      }
    }
    return holding;
  }

  private static boolean found(Path root, String value) throws IOException {
    return !filesHolding(root, value).isEmpty();
  }

  private static List<Path> filesNamed(Path root, String suffix) throws IOException {
    return files(root).stream().filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
  }

  private static List<Path> files(Path root) throws IOException {
    if (Files.isRegularFile(root)) {
      return List.of(root);
    }
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(Files::isRegularFile).toList();
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
