package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.persistence.testing.TestCassandra;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.testing.FakeReply;
import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.RecordingToolServer.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node stops, or is killed; a new one on the same Cassandra serves the same sessions, unchanged,
 * and resumes the work that was cut off.
 */
class NodeRestartIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aSessionReadsBackIdenticalFromANewNode() throws Exception {
    Path keys = TestKeysFile.write(dir);
    String keyspace = TestCassandra.uniqueKeyspaceName("restart_it");

    Node first = Node.start(TestNodes.config(keyspace, keys, Map.of()));
    HttpClientSupport ada = new HttpClientSupport(TestNodes.baseUrl(first), TestKeysFile.ADA);
    String spec =
        "{\"agent\": {\"instructions\": \"You help.\", \"limits\": {\"maxStepsPerTurn\": 4, \"maxTurnSeconds\": 60}},"
            + " \"tools\": [{\"name\": \"search\", \"kind\": \"http\", \"url\": \"http://127.0.0.1:9/search\", \"idempotent\": true}],"
            + " \"permissions\": {\"tools\": {\"search\": \"allow\", \"*\": \"ask\"}},"
            + " \"memory\": {\"user_name\": \"Ada\"}, \"metadata\": {\"team\": \"core\"}}";
    assertEquals(201, ada.put("/v1/sessions/durable", spec).statusCode());
    assertEquals(
        200,
        ada.put("/v1/sessions/durable/memory/prefs", "{\"lang\": \"fr\", \"n\": [1, 2]}")
            .statusCode());
    assertEquals(
        202, ada.post("/v1/sessions/durable/messages", "{\"content\": \"one\"}").statusCode());
    assertEquals(
        202, ada.post("/v1/sessions/durable/messages", "{\"content\": \"two\"}").statusCode());
    // Both turns settle first (the scripted model answers at once): a turn still running when the
    // node stops would, rightly, go on on the new node and change what is read there.
    String session = ada.get("/v1/sessions/durable").body();
    long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!session.contains("\"status\":\"idle\"") && System.nanoTime() < giveUp) {
      Thread.sleep(50);
      session = ada.get("/v1/sessions/durable").body();
    }
    assertTrue(session.contains("\"status\":\"idle\""), session);
    String transcript = ada.get("/v1/sessions/durable/messages").body();
    String turns = ada.get("/v1/sessions/durable/turns").body();
    first.stop(Duration.ofSeconds(30));

    Node second = Node.start(TestNodes.config(keyspace, keys, Map.of()));
    try {
      HttpClientSupport again = new HttpClientSupport(TestNodes.baseUrl(second), TestKeysFile.ADA);
      assertEquals(session, again.get("/v1/sessions/durable").body());
      assertEquals(transcript, again.get("/v1/sessions/durable/messages").body());
      assertEquals(turns, again.get("/v1/sessions/durable/turns").body());
      assertEquals(
          200,
          again.put("/v1/sessions/durable", spec).statusCode(),
          "PUT of the same body still matches");
    } finally {
      second.stop(Duration.ofSeconds(30));
    }
  }

  /**
   * bin/agent-runtime as a user runs it, with its class-data archive (decision 0060): the first
   * clean exit of a jar set writes the archive (one cut short is thrown away, not mapped), the next
   * starts map it, and a node killed with -9 while an idempotent tool call runs comes back on its
   * own: with no request from anyone, the restarted node sends that call again, with the same
   * Idempotency-Key, and the turn completes with one outcome for the call.
   */
  @Test
  void aToolCallCutOffByAKillIsSentAgainByTheRestartedNodeWithItsKey() throws Exception {
    Path home = dir.resolve("home");
    Path archives = dir.resolve("cds");
    try (FakeOpenAiServer model = FakeOpenAiServer.start();
        RecordingToolServer tools = RecordingToolServer.start()) {
      model.whenIdle(
          request -> {
            JsonNode messages = request.path("messages");
            if ("tool".equals(messages.get(messages.size() - 1).path("role").asText())) {
              return FakeReply.text("looked it up");
            }
            return FakeReply.toolCalls(FakeOpenAiServer.call("call_1", "lookup", "{\"q\": 1}"));
          });
      tools.script(
          "/lookup",
          Reply.json("{\"found\": 1}").after(Duration.ofSeconds(120)),
          Reply.json("{\"found\": 1}"));
      Map<String, String> env =
          Map.of(
              "AGENT_RUNTIME_CASSANDRA_CONTACT_POINTS", TestCassandra.get().contactPoint(),
              "AGENT_RUNTIME_KEYS_FILE", TestKeysFile.write(dir).toString(),
              "AGENT_RUNTIME_MIGRATE_ON_START", "true",
              "AGENT_RUNTIME_MODEL_BASE_URL", model.baseUrl(),
              "AGENT_RUNTIME_MODEL_NAME", "fake-model",
              "AGENT_RUNTIME_CDS_DIR", archives.toString(),
              "AGENT_RUNTIME_JAVA_OPTS",
                  "-Xmx512m -Dagent-runtime.cassandra.keyspace="
                      + TestCassandra.uniqueKeyspaceName("restart_cds_it"));

      // No archive yet: this start writes one when it exits cleanly.
      NodeProcess training = NodeProcess.launch("node", home, env);
      training.awaitReady(Duration.ofSeconds(120));
      assertTrue(
          training.javaArguments().stream()
              .anyMatch(a -> a.startsWith("-XX:ArchiveClassesAtExit=")),
          training.javaArguments().toString());
      training.terminate(Duration.ofSeconds(90));
      Path written = onlyFile(archives, ".new");
      // As if that JVM had been killed while it wrote: the next start must not map it.
      byte[] whole = Files.readAllBytes(written);
      Files.write(written, java.util.Arrays.copyOf(whole, whole.length / 3));
      NodeProcess again = NodeProcess.launch("node", home, env);
      again.awaitReady(Duration.ofSeconds(120));
      assertFalse(
          again.javaArguments().stream().anyMatch(a -> a.startsWith("-XX:SharedArchiveFile=")),
          "a cut-off archive is not mapped: " + again.javaArguments());
      assertFalse(Files.exists(written), "a cut-off archive is thrown away");
      again.terminate(Duration.ofSeconds(90));

      NodeProcess first = NodeProcess.launch("node", home, env);
      first.awaitReady(Duration.ofSeconds(120));
      Path archive = onlyFile(archives, ".jsa");
      assertTrue(
          first.javaArguments().contains("-XX:SharedArchiveFile=" + archive),
          first.javaArguments().toString());
      HttpClientSupport ada = new HttpClientSupport(first.baseUrl(), TestKeysFile.ADA);
      String spec =
          "{\"agent\": {\"model\": \"default\"}, \"tools\": [{\"name\": \"lookup\", \"kind\":"
              + " \"http\", \"url\": \""
              + tools.url("/lookup")
              + "\", \"idempotent\": true}], \"permissions\": {\"tools\": {\"*\": \"allow\"}}}";
      assertEquals(201, ada.put("/v1/sessions/cut", spec).statusCode());
      var accepted = ada.post("/v1/sessions/cut/messages", "{\"content\": \"look it up\"}");
      assertEquals(202, accepted.statusCode(), accepted.body());
      String turnId = JSON.readTree(accepted.body()).path("turnId").asText();
      await("the tool call is out", () -> tools.count("/lookup") == 1);
      // The killed node left the session it had work in flight for in its restart hints (0068).
      Path hints = home.resolve("in-flight-sessions");
      await("the call's session is in the restart hints", () -> read(hints).contains("acme:cut"));
      first.kill();
      assertEquals(List.of("acme:cut"), read(hints).lines().toList());

      NodeProcess second = NodeProcess.launch("node", home, env);
      try {
        second.awaitReady(Duration.ofSeconds(120));
        assertTrue(
            second.javaArguments().contains("-XX:SharedArchiveFile=" + archive),
            second.javaArguments().toString());
        // Nothing asks the session anything: it must come back by itself.
        await("the restarted node calls the tool again", () -> tools.count("/lookup") == 2);
        List<RecordingToolServer.RecordedCall> calls = tools.calls("/lookup");
        assertNotNull(calls.get(0).idempotencyKey());
        assertEquals(
            calls.get(0).idempotencyKey(),
            calls.get(1).idempotencyKey(),
            "the call is sent again with the same Idempotency-Key");

        HttpClientSupport client = new HttpClientSupport(second.baseUrl(), TestKeysFile.ADA);
        JsonNode turn =
            JSON.readTree(
                client.get("/v1/sessions/cut/turns/" + turnId + "?waitSeconds=30").body());
        assertEquals("completed", turn.path("status").asText(), turn.toString());
        JsonNode messages =
            JSON.readTree(client.get("/v1/sessions/cut/messages").body()).path("messages");
        assertEquals(
            1,
            Stream.of(JSON.convertValue(messages, JsonNode[].class))
                .filter(m -> "tool".equals(m.path("role").asText()))
                .count(),
            "one outcome for the call: " + messages);
        assertTrue(
            read(second.log).contains("Woke 1 session(s) the last run had work in flight for"),
            "the restarted node woke the session of its hints first");
        await("a finished turn leaves no hint", () -> read(hints).isBlank());
      } finally {
        second.terminate(Duration.ofSeconds(90));
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static Path onlyFile(Path folder, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      List<Path> found = files.filter(f -> f.toString().endsWith(suffix)).toList();
      assertEquals(1, found.size(), "files *" + suffix + " in " + folder + ": " + found);
      return found.get(0);
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(100);
    }
  }
}
