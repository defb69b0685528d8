package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.GINA;
import static io.agentruntime.http.TestKeys.GUS;
import static io.agentruntime.http.TestKeys.OTTO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.directory.InMemorySessionDirectory;
import io.agentruntime.runtime.model.ConfiguredModelProviders;
import io.agentruntime.runtime.model.ScriptedModel;
import io.agentruntime.runtime.session.SessionRuntime;
import io.agentruntime.runtime.tools.RoutingToolExecutor;
import io.agentruntime.runtime.tools.ToolSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every unknown outcome is in doubt (issue 12, decision 0016), over HTTP on a real node whose tool
 * calls go out over real sockets to a tool server that holds its answer until the test lets it go:
 * a tool-client timeout, the turn's deadline, cancel, interrupt, DELETE and terminate each leave
 * the call {@code in_doubt} with an approval of reason {@code in_doubt}, the tool executed exactly
 * once. The session owner (gus) holds only the {@code user} role: he may still cancel, interrupt or
 * close, but the call stays in doubt, and deciding it is refused to him (403); gina, an approver,
 * decides.
 */
class UnknownOutcomeApiTest {

  private static HeldTools tools;
  private static TestNode node;
  private static Api api;

  @BeforeAll
  static void start() {
    tools = HeldTools.start();
    node =
        TestNode.start(
            "agent-runtime.turns.tool-timeout = 2s",
            config -> {
              ScriptedModel scripted = new ScriptedModel();
              return SessionRuntime.of(
                  config,
                  new InMemorySessionDirectory(),
                  new ConfiguredModelProviders(Map.of("default", scripted, "scripted", scripted)),
                  RoutingToolExecutor.create(ToolSettings.fromConfig(config), new ObjectMapper()));
            });
    api = node.api;
  }

  @AfterAll
  static void stop() {
    node.close();
    tools.close();
  }

  /** A session of gus with one tool with side effects, allowed; its path on the tool server. */
  private record Session(String path, String toolPath) {}

  private static Session session(String limits) {
    String id = TestNode.newId("doubt");
    String toolPath = "/send/" + UUID.randomUUID();
    Response created =
        api.post(
            GUS,
            "/v1/sessions",
            """
            {"id": "%s", "agent": {"model": "scripted"%s},
             "tools": [{"name": "send_email", "kind": "http", "url": "%s", "idempotent": false}],
             "permissions": {"tools": {"*": "allow"}}}
            """
                .formatted(id, limits, tools.url(toolPath)));
    assertEquals(201, created.status(), created.toString());
    return new Session("/v1/sessions/" + id, toolPath);
  }

  /** Sends a message whose turn calls the tool, and waits until the tool server has the call. */
  private static String callInFlight(Session s) throws InterruptedException {
    Response sent =
        api.post(
            GUS,
            s.path() + "/messages",
            "{\"content\": \"/tool send_email {\\\"to\\\":\\\"bob\\\"}\"}");
    assertEquals(202, sent.status(), sent.toString());
    ApiKeysTest.eventually(() -> tools.count(s.toolPath()) == 1);
    return sent.json().get("turnId").asText();
  }

  /**
   * The call is in doubt: its turn waits for an approver, one pending approval of reason in_doubt,
   * the transcript says in_doubt (nothing says failed or cancelled), and the tool ran once.
   */
  private static JsonNode assertInDoubt(Session s, String turnId) {
    JsonNode turn = api.get(GUS, s.path() + "/turns/" + turnId).json();
    assertEquals("awaiting_approval", turn.get("status").asText(), turn.toString());
    JsonNode approvals = api.get(GUS, s.path() + "/approvals").json();
    assertEquals(1, approvals.size(), approvals.toString());
    assertEquals("in_doubt", approvals.get(0).get("reason").asText());
    assertEquals("pending", approvals.get(0).get("status").asText());
    JsonNode messages = api.get(GUS, s.path() + "/messages").json().get("messages");
    JsonNode outcome = null;
    for (JsonNode m : messages) {
      if (m.get("role").asText().equals("tool") && m.get("turnId").asText().equals(turnId)) {
        outcome = m;
      }
    }
    assertTrue(outcome != null, messages.toString());
    assertEquals("in_doubt", outcome.get("outcome").asText(), messages.toString());
    for (JsonNode m : messages) {
      assertTrue(
          !"cancelled".equals(m.path("outcome").asText())
              && !"failed".equals(m.path("outcome").asText()),
          messages.toString());
    }
    assertEquals(1, tools.count(s.toolPath()), "the tool ran once");
    return approvals.get(0);
  }

  /** gus (user only) may not decide; gina (approver) does. */
  private static void onlyAnApproverDecides(Session s, String approvalId, String decision) {
    Response refused =
        api.post(
            GUS, s.path() + "/approvals/" + approvalId, "{\"decision\": \"" + decision + "\"}");
    assertEquals(403, refused.status(), refused.toString());
    assertEquals("role_missing", refused.errorCode());
    String body =
        decision.equals("result")
            ? "{\"decision\": \"result\", \"result\": {\"sent\": true}}"
            : "{\"decision\": \"" + decision + "\"}";
    Response decided = api.post(GINA, s.path() + "/approvals/" + approvalId, body);
    assertEquals(200, decided.status(), decided.toString());
    assertEquals(decision, decided.json().get("decision").asText());
    assertEquals("gina", decided.json().get("decidedBy").asText());
  }

  private static String status(Session s, String turnId) {
    return api.get(GUS, s.path() + "/turns/" + turnId).json().get("status").asText();
  }

  @Test
  void aToolThatDoesNotAnswerInTimeLeavesItsCallInDoubtNotFailed() throws Exception {
    Session s = session("");
    String turnId = callInFlight(s);

    ApiKeysTest.eventually(() -> status(s, turnId).equals("awaiting_approval"));
    JsonNode approval = assertInDoubt(s, turnId);

    Thread.sleep(1500); // longer than tool-retry-delay: a tool with side effects is not sent again
    assertEquals(1, tools.count(s.toolPath()));
    onlyAnApproverDecides(s, approval.get("id").asText(), "fail");
    ApiKeysTest.eventually(() -> status(s, turnId).equals("completed"));
    tools.release(s.toolPath());
    assertEquals(1, tools.count(s.toolPath()));
  }

  @Test
  void theTurnsDeadlineLeavesTheCallInDoubtAndTheTurnFailsOnceAnApproverDecided() throws Exception {
    Session s = session(", \"limits\": {\"maxTurnSeconds\": 1}");
    String turnId = callInFlight(s);

    ApiKeysTest.eventually(() -> status(s, turnId).equals("awaiting_approval"));
    JsonNode approval = assertInDoubt(s, turnId);

    onlyAnApproverDecides(s, approval.get("id").asText(), "fail");
    // Nothing more starts: the budget was spent (a zero budget is zero, not a default timeout).
    ApiKeysTest.eventually(() -> status(s, turnId).equals("failed"));
    JsonNode turn = api.get(GUS, s.path() + "/turns/" + turnId).json();
    assertEquals("turn_timeout", turn.at("/error/code").asText());
    tools.release(s.toolPath());
  }

  @Test
  void cancelByTheOwnerWithoutTheApproverRoleLeavesTheCallInDoubt() throws Exception {
    Session s = session("");
    String turnId = callInFlight(s);

    Response cancelled = api.post(GUS, s.path() + "/turns/" + turnId + "/cancel", null);

    assertEquals(200, cancelled.status(), cancelled.toString());
    assertEquals("awaiting_approval", cancelled.json().get("status").asText());
    assertEquals("cancelled", cancelled.json().at("/error/code").asText(), "how it will end");
    JsonNode approval = assertInDoubt(s, turnId);
    Response again = api.post(GUS, s.path() + "/turns/" + turnId + "/cancel", null);
    assertEquals(200, again.status(), again.toString());
    assertInDoubt(s, turnId);

    onlyAnApproverDecides(s, approval.get("id").asText(), "fail");
    assertEquals("cancelled", status(s, turnId));
    tools.release(s.toolPath());
    assertEquals(1, tools.count(s.toolPath()));
  }

  @Test
  void interruptLeavesTheCallInDoubtAndTheToolsLateAnswerSettlesIt() throws Exception {
    Session s = session("");
    String turnId = callInFlight(s);

    Response interrupting =
        api.post(GUS, s.path() + "/messages", "{\"content\": \"stop\", \"onBusy\": \"interrupt\"}");

    assertEquals(202, interrupting.status(), interrupting.toString());
    String next = interrupting.json().get("turnId").asText();
    assertEquals("queued", status(s, next), "it waits for the call in doubt");
    JsonNode approval = assertInDoubt(s, turnId);

    tools.release(s.toolPath()); // the tool answers after all: the real outcome is journaled
    ApiKeysTest.eventually(() -> status(s, next).equals("completed"));
    assertEquals("cancelled", status(s, turnId));
    JsonNode messages = api.get(GUS, s.path() + "/messages").json().get("messages");
    assertTrue(
        messages.toString().contains("\"outcome\":\"succeeded\""), "the late answer is kept");
    assertEquals(0, api.get(GUS, s.path() + "/approvals").json().size());
    Response decided =
        api.post(
            GINA,
            s.path() + "/approvals/" + approval.get("id").asText(),
            "{\"decision\": \"fail\"}");
    assertEquals(409, decided.status(), "the tool's answer settled it");
    assertEquals(1, tools.count(s.toolPath()));
  }

  @Test
  void deleteByTheOwnerClosesTheSessionButTheCallStaysInDoubtForAnApprover() throws Exception {
    Session s = session("");
    String turnId = callInFlight(s);

    Response closed = api.delete(GUS, s.path());

    assertEquals(200, closed.status(), closed.toString());
    assertEquals("closed", closed.json().get("status").asText());
    JsonNode approval = assertInDoubt(s, turnId);

    onlyAnApproverDecides(s, approval.get("id").asText(), "result");
    assertEquals("cancelled", status(s, turnId));
    JsonNode messages = api.get(GUS, s.path() + "/messages").json().get("messages");
    assertEquals("succeeded", messages.get(messages.size() - 1).get("outcome").asText());
    tools.release(s.toolPath());
    assertEquals(1, tools.count(s.toolPath()));
  }

  @Test
  void terminateByAnOperatorRecordsTheCallInDoubtNotCancelled() throws Exception {
    Session s = session("");
    String turnId = callInFlight(s);

    Response terminated = api.post(OTTO, s.path() + "/terminate", null);

    assertEquals(200, terminated.status(), terminated.toString());
    assertEquals("closed", terminated.json().get("status").asText());
    JsonNode approval = assertInDoubt(s, turnId);
    Response operator =
        api.post(
            OTTO,
            s.path() + "/approvals/" + approval.get("id").asText(),
            "{\"decision\": \"fail\"}");
    assertEquals(403, operator.status(), "an operator is no approver");

    onlyAnApproverDecides(s, approval.get("id").asText(), "fail");
    assertEquals("cancelled", status(s, turnId));
    tools.release(s.toolPath());
    assertEquals(1, tools.count(s.toolPath()));
  }

  /**
   * An HTTP tool server on 127.0.0.1 that counts the calls per path and holds each answer until
   * {@link #release} (or 30 s), then answers {@code {"sent": true}}.
   */
  static final class HeldTools implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> held = new ConcurrentHashMap<>();

    private HeldTools(HttpServer server) {
      this.server = server;
    }

    static HeldTools start() {
      try {
        HttpServer server =
            HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        HeldTools tools = new HeldTools(server);
        server.createContext("/", tools::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        return tools;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    String url(String path) {
      return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    int count(String path) {
      return counts.getOrDefault(path, new AtomicInteger()).get();
    }

    void release(String path) {
      latch(path).countDown();
    }

    private CountDownLatch latch(String path) {
      return held.computeIfAbsent(path, p -> new CountDownLatch(1));
    }

    private void handle(HttpExchange exchange) throws IOException {
      String path = exchange.getRequestURI().getPath();
      exchange.getRequestBody().readAllBytes();
      counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      try {
        latch(path).await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] body = "{\"sent\": true}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      try (OutputStream out = exchange.getResponseBody()) {
        exchange.sendResponseHeaders(200, body.length);
        out.write(body);
      } catch (IOException e) {
        // the caller gave up (a timeout closes its connection)
      }
    }

    @Override
    public void close() {
      held.values().forEach(CountDownLatch::countDown);
      server.stop(0);
    }
  }
}
