package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.RecordingToolServer.Reply;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session filled to the largest sizes the default limits allow (memory values of 64 KiB up to the
 * session-wide bound of 8 MiB, 100,000 characters of instructions, a message of 200,000 three-byte
 * characters, tool results of 256 KiB), written and read through the node of a two-node cluster
 * that does NOT host it, so that every command and every answer crosses Artery: each write answers
 * 2xx there, and the view, the memory, each memory key, the transcript page by page, the turns and
 * the approvals read back whole. Values are random, so that no compression could make them fit.
 */
class LargeSessionAcrossNodesIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ID = "big";
  private static final String BASE = "/v1/sessions/" + ID;

  // The defaults of agent-runtime.session and agent-runtime.tools (reference.conf).
  /**
   * As many 64 KiB values as a session holds next to the other items at their limits, within the
   * session-wide bound (max-session-size, 8 MiB): their view alone is over the 4 MiB Artery frame,
   * so it can only cross the cluster as a stream.
   */
  private static final int MEMORY_ENTRIES = 70;

  private static final int MEMORY_VALUE_BYTES = 64 * 1024;
  private static final int INSTRUCTIONS_CHARS = 100_000;
  private static final int MESSAGE_CHARS = 200_000;
  private static final int TOOL_RESULT_BYTES = 256 * 1024;

  @TempDir Path home;
  private final RecordingToolServer tools = RecordingToolServer.start();
  private final SecureRandom random = new SecureRandom();
  private ProcessCluster cluster;

  /** The node hosting the session, as X-Agent-Node names it: every answer must come from there. */
  private String hostAddress;

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    tools.close();
  }

  @Test
  void theLargestSessionReadsAndWritesThroughTheNodeThatDoesNotHostIt() throws Exception {
    cluster = new ProcessCluster(home);
    // Snapshots are left out: this test is about answers between nodes, and a session near its
    // bound
    // would otherwise snapshot on every few writes.
    cluster.jvmOptions = List.of("-Xmx1g", "-Dagent-runtime.session.snapshot-every=5000");
    cluster.startNode();
    cluster.startNode();
    cluster.awaitMembersUp(2);

    String instructions = randomText(INSTRUCTIONS_CHARS);
    assertEquals(
        201,
        cluster
            .client(0)
            .put(
                BASE,
                "{\"agent\": {\"instructions\": "
                    + JSON.writeValueAsString(instructions)
                    + "}, \"permissions\": {\"tools\": {\"*\": \"allow\", \"asky\": \"ask\"}}}")
            .statusCode());
    int host = cluster.hostOf(ID);
    assertTrue(host >= 0, "the session has a host");
    HttpClientSupport away = cluster.client(1 - host);
    hostAddress = cluster.node(host).clusterAddress();

    // Writes through the other node, each of them 2xx.
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < MEMORY_ENTRIES; i++) {
      String key = "k" + i;
      keys.add(key);
      HttpResponse<String> put = away.put(BASE + "/memory/" + key, memoryValue());
      assertEquals(200, put.statusCode(), () -> "PUT memory/" + key + ": " + put.body());
      assertEquals(hostAddress, put.headers().firstValue("X-Agent-Node").orElse(null));
    }
    tools.script("/big", Reply.largeJson(TOOL_RESULT_BYTES - 64));
    tools.script("/asky", Reply.json("{\"ok\": true}"));
    for (String tool : List.of("big", "asky")) {
      HttpResponse<String> put =
          away.put(
              BASE + "/tools/" + tool,
              "{\"kind\": \"http\", \"url\": \""
                  + tools.url("/" + tool)
                  + "\", \"description\": \"d\", \"parameters\": {\"type\": \"object\"}}");
      assertEquals(200, put.statusCode(), () -> "PUT tools/" + tool + ": " + put.body());
    }
    HttpResponse<String> policy =
        away.put(
            BASE + "/permissions",
            "{\"tools\": {\"*\": \"allow\", \"asky\": \"ask\", \"nothing\": \"deny\"}}");
    assertEquals(200, policy.statusCode(), policy::body);
    for (int i = 0; i < 3; i++) {
      turn(away, "/tool big {\"n\": " + i + "}", "completed");
    }
    turn(away, "€".repeat(MESSAGE_CHARS), "completed"); // echoed back: 600 KB twice over
    String asking = turn(away, "/tool asky {}", "awaiting_approval");

    // Reads through the other node.
    JsonNode view = read(away, BASE);
    assertEquals(instructions, view.at("/agent/instructions").asText());
    assertEquals(MEMORY_ENTRIES, view.path("memory").size());
    assertEquals(2, view.path("tools").size());
    JsonNode memory = read(away, BASE + "/memory");
    assertEquals(MEMORY_ENTRIES, memory.size());
    assertEquals(view.path("memory"), memory);
    for (String key : keys) {
      assertEquals(memory.get(key), read(away, BASE + "/memory/" + key), key);
    }
    List<JsonNode> transcript = transcript(away);
    assertTrue(transcript.size() >= 15, "the whole transcript: " + transcript.size());
    assertEquals(
        transcript.stream().map(m -> m.path("seq").asLong()).distinct().count(),
        transcript.size(),
        "no message twice");
    assertEquals(
        transcript,
        transcript(cluster.client(host)),
        "the transcript reads the same through its host");
    JsonNode turns = read(away, BASE + "/turns?limit=100");
    assertEquals(5, turns.path("turns").size());
    assertEquals(
        MESSAGE_CHARS + "echo: ".length(),
        turns.path("turns").get(1).path("output").asText().length(),
        "the echo of the large message");
    JsonNode approvals = read(away, BASE + "/approvals");
    assertEquals(1, approvals.size());
    assertEquals(asking, approvals.get(0).path("turnId").asText());

    // More writes through the other node, on a session this large.
    HttpResponse<String> approved =
        away.post(
            BASE + "/approvals/" + approvals.get(0).path("id").asText(),
            "{\"decision\": \"approve\"}");
    assertEquals(200, approved.statusCode(), approved::body);
    HttpResponse<String> deleted = away.delete(BASE + "/memory/k0");
    assertEquals(200, deleted.statusCode(), deleted::body);
    HttpResponse<String> disconnected = away.delete(BASE + "/tools/big");
    assertEquals(200, disconnected.statusCode(), disconnected::body);
    HttpResponse<String> closed = away.delete(BASE);
    assertEquals(200, closed.statusCode(), closed::body);
    JsonNode after = read(away, BASE);
    assertEquals("closed", after.path("status").asText());
    assertEquals(MEMORY_ENTRIES - 1, after.path("memory").size());
    assertEquals(1, after.path("tools").size());
  }

  /** Sends {@code content} and waits for its turn; returns the turn id. */
  private String turn(HttpClientSupport client, String content, String status) throws Exception {
    ObjectNode body = JSON.createObjectNode().put("content", content);
    HttpResponse<String> sent =
        client.post(BASE + "/messages?waitSeconds=20", JSON.writeValueAsString(body));
    assertEquals(200, sent.statusCode(), sent::body);
    JsonNode turn = JSON.readTree(sent.body());
    assertEquals(status, turn.path("status").asText(), sent::body);
    return turn.path("turnId").asText();
  }

  /** The whole transcript, page by page (pages of at most 1000 messages, bounded in bytes). */
  private List<JsonNode> transcript(HttpClientSupport client) throws Exception {
    List<JsonNode> messages = new ArrayList<>();
    String path = BASE + "/messages?limit=1000";
    int pages = 0;
    while (path != null) {
      JsonNode page = read(client, path);
      page.path("messages").forEach(messages::add);
      pages++;
      JsonNode next = page.path("nextAfter");
      path =
          next.isNull() || next.isMissingNode() ? null : BASE + "/messages?after=" + next.asLong();
      assertTrue(pages < 100, "the pages end");
    }
    assertNotEquals(1, pages, "a transcript this large comes in more than one page");
    return messages;
  }

  private JsonNode read(HttpClientSupport client, String path) throws Exception {
    HttpResponse<String> answer = client.get(path);
    assertEquals(200, answer.statusCode(), () -> "GET " + path + ": " + answer.body());
    assertEquals(
        hostAddress,
        answer.headers().firstValue("X-Agent-Node").orElse(null),
        () -> "GET " + path + " was answered by the session's host");
    return JSON.readTree(answer.body());
  }

  /** A JSON string of exactly the largest memory value's size, incompressible. */
  private String memoryValue() throws Exception {
    return JSON.writeValueAsString(randomText(MEMORY_VALUE_BYTES - 2));
  }

  private String randomText(int chars) {
    byte[] bytes = new byte[chars];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).substring(0, chars);
  }
}
