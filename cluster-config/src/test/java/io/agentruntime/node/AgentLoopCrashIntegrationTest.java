package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.persistence.testing.TestCassandra;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.testing.FakeReply;
import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.RecordingToolServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node process is killed with -9 while four sessions stand at the four risky points of a
 * turn: the model call out, a slow idempotent tool call, a slow tool call with side effects, and an
 * approval pending. The next node resumes them with no request from a client; nothing runs twice
 * that must not, and every tool call ends with exactly one outcome.
 */
class AgentLoopCrashIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration SLOW = Duration.ofSeconds(120);

  @TempDir Path home;
  private final FakeOpenAiServer model = FakeOpenAiServer.start();
  private final RecordingToolServer tools = RecordingToolServer.start();
  private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();

  @AfterEach
  void stopFakes() {
    model.close();
    tools.close();
  }

  @Test
  void turnsCutOffByACrashResumeByThemselvesAndNoSideEffectRunsTwice() throws Exception {
    scriptTheModel();
    tools.script(
        "/slow_idem", Reply.json("{\"booked\": 1}").after(SLOW), Reply.json("{\"booked\": 1}"));
    tools.script("/slow_side", Reply.json("{\"sent\": true}").after(SLOW));
    tools.script("/approve_me", Reply.json("{\"approved_call\": true}"));

    Path keys = TestKeysFile.write(home);
    Map<String, String> env =
        Map.of(
            "AGENT_RUNTIME_CASSANDRA_CONTACT_POINTS", TestCassandra.get().contactPoint(),
            "AGENT_RUNTIME_KEYS_FILE", keys.toString(),
            "AGENT_RUNTIME_MIGRATE_ON_START", "true",
            "AGENT_RUNTIME_MODEL_BASE_URL", model.baseUrl(),
            "AGENT_RUNTIME_MODEL_NAME", "fake-model");
    List<String> props =
        List.of(
            "-Dagent-runtime.cassandra.keyspace=" + TestCassandra.uniqueKeyspaceName("crash_it"));

    NodeProcess first = NodeProcess.start("node", home, env, props);
    first.awaitReady(Duration.ofSeconds(60));
    HttpClientSupport ada = new HttpClientSupport(first.baseUrl(), TestKeysFile.ADA);
    String a = startTurn(ada, "model", "slow model");
    String b = startTurn(ada, "idem", "use slow_idem");
    String c = startTurn(ada, "side", "use slow_side");
    String d = startTurn(ada, "ask", "use approve_me");
    await("the model call of A is out", () -> count("slow model") == 1);
    await("B's idempotent call is out", () -> tools.count("/slow_idem") == 1);
    await("C's call with side effects is out", () -> tools.count("/slow_side") == 1);
    await(
        "D awaits approval",
        () -> "awaiting_approval".equals(turn(ada, "ask", d).path("status").asText()));
    first.kill();

    NodeProcess second = NodeProcess.start("node", home, env, props);
    try {
      second.awaitReady(Duration.ofSeconds(60));
      // No client request yet: the sessions with work in flight must come back on their own.
      await("A asks the model again", () -> count("slow model") == 2);
      await("B calls its idempotent tool again", () -> tools.count("/slow_idem") == 2);

      HttpClientSupport again = new HttpClientSupport(second.baseUrl(), TestKeysFile.ADA);
      assertEquals("completed", awaitTurn(again, "model", a).path("status").asText());
      assertEquals("completed", awaitTurn(again, "idem", b).path("status").asText());
      List<RecordingToolServer.RecordedCall> idem = tools.calls("/slow_idem");
      assertEquals(
          idem.get(0).idempotencyKey(),
          idem.get(1).idempotencyKey(),
          "a retry carries the same Idempotency-Key");

      JsonNode inDoubt = onlyApproval(again, "side");
      assertEquals("in_doubt", inDoubt.path("reason").asText());
      assertEquals("awaiting_approval", turn(again, "side", c).path("status").asText());
      assertEquals(
          1, tools.count("/slow_side"), "a call with side effects is never repeated silently");
      decide(
          again,
          "side",
          inDoubt.path("id").asText(),
          "{\"decision\": \"fail\", \"comment\": \"checked: not sent\"}");
      assertEquals("completed", awaitTurn(again, "side", c).path("status").asText());
      assertEquals(1, tools.count("/slow_side"));

      JsonNode approval = onlyApproval(again, "ask");
      assertEquals("policy", approval.path("reason").asText());
      decide(again, "ask", approval.path("id").asText(), "{\"decision\": \"approve\"}");
      assertEquals("completed", awaitTurn(again, "ask", d).path("status").asText());
      assertEquals(1, tools.count("/approve_me"));

      for (String session : List.of("model", "idem", "side", "ask")) {
        assertEveryToolCallHasOneOutcome(again, session);
      }
    } finally {
      second.terminate(Duration.ofSeconds(60));
    }
  }

  /**
   * The fake model: slow once for "slow model", a tool call for "use X", a summary after tool
   * results.
   */
  private void scriptTheModel() {
    model.whenIdle(
        request -> {
          JsonNode messages = request.path("messages");
          JsonNode last = messages.get(messages.size() - 1);
          if ("tool".equals(last.path("role").asText())) {
            return FakeReply.text("done: " + last.path("content").asText());
          }
          String user = FakeOpenAiServer.lastUserMessage(request);
          if (user.equals("slow model")) {
            return asked.computeIfAbsent(user, k -> new AtomicInteger()).incrementAndGet() == 1
                ? FakeReply.hang()
                : FakeReply.text("thought it over");
          }
          if (user.startsWith("use ")) {
            return FakeReply.toolCalls(
                FakeOpenAiServer.call(
                    "call_" + UUID.randomUUID(), user.substring(4), "{\"n\": 1}"));
          }
          return FakeReply.text("echo " + user);
        });
  }

  private int count(String userMessage) {
    return (int)
        model.requests().stream()
            .filter(r -> userMessage.equals(FakeOpenAiServer.lastUserMessage(r)))
            .filter(
                r ->
                    !"tool"
                        .equals(
                            r.path("messages")
                                .get(r.path("messages").size() - 1)
                                .path("role")
                                .asText()))
            .count();
  }

  private String startTurn(HttpClientSupport client, String session, String message)
      throws Exception {
    String spec =
        "{\"agent\": {\"model\": \"default\"},"
            + " \"tools\": ["
            + tool("slow_idem", true)
            + ", "
            + tool("slow_side", false)
            + ", "
            + tool("approve_me", false)
            + "],"
            + " \"permissions\": {\"tools\": {\"approve_me\": \"ask\", \"*\": \"allow\"}}}";
    assertEquals(
        201, client.put("/v1/sessions/" + session, spec).statusCode(), "create " + session);
    var accepted =
        client.post("/v1/sessions/" + session + "/messages", "{\"content\": \"" + message + "\"}");
    assertEquals(202, accepted.statusCode(), accepted.body());
    return JSON.readTree(accepted.body()).path("turnId").asText();
  }

  private String tool(String name, boolean idempotent) {
    return "{\"name\": \""
        + name
        + "\", \"kind\": \"http\", \"url\": \""
        + tools.url("/" + name)
        + "\", \"idempotent\": "
        + idempotent
        + "}";
  }

  private static JsonNode turn(HttpClientSupport client, String session, String turnId) {
    try {
      return JSON.readTree(client.get("/v1/sessions/" + session + "/turns/" + turnId).body());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode awaitTurn(HttpClientSupport client, String session, String turnId)
      throws Exception {
    JsonNode t = turn(client, session, turnId);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Set.of("completed", "failed", "cancelled").contains(t.path("status").asText())
        && System.nanoTime() < deadline) {
      t =
          JSON.readTree(
              client.get("/v1/sessions/" + session + "/turns/" + turnId + "?waitSeconds=5").body());
    }
    return t;
  }

  private static JsonNode onlyApproval(HttpClientSupport client, String session) throws Exception {
    JsonNode approvals = JSON.readTree(client.get("/v1/sessions/" + session + "/approvals").body());
    assertEquals(1, approvals.size(), approvals.toString());
    return approvals.get(0);
  }

  private static void decide(
      HttpClientSupport client, String session, String approvalId, String body) {
    var answer = client.post("/v1/sessions/" + session + "/approvals/" + approvalId, body);
    assertEquals(200, answer.statusCode(), answer.body());
  }

  private static void assertEveryToolCallHasOneOutcome(HttpClientSupport client, String session)
      throws Exception {
    JsonNode messages =
        JSON.readTree(client.get("/v1/sessions/" + session + "/messages").body()).path("messages");
    Set<String> asked = new HashSet<>();
    Map<String, Integer> outcomes = new ConcurrentHashMap<>();
    for (JsonNode m : messages) {
      m.path("toolCalls").forEach(call -> asked.add(call.path("id").asText()));
      if ("tool".equals(m.path("role").asText())) {
        outcomes.merge(m.path("toolCallId").asText(), 1, Integer::sum);
      }
    }
    for (String id : asked) {
      assertEquals(1, outcomes.getOrDefault(id, 0), session + ": call " + id + " in " + messages);
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(100);
    }
  }
}
