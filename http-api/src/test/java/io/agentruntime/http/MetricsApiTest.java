package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} over a real socket, on a node of its own (so that gauges start at zero):
 * real turns, tool calls and approvals move the numbers a Prometheus server would scrape.
 */
class MetricsApiTest {

  private static TestNode node;
  private static Api api;

  @BeforeAll
  static void start() {
    node = TestNode.start("agent-runtime.turns.idle-timeout = 1s");
    api = node.api;
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** One scrape: each sample line's name with its labels, to its value. */
  static Map<String, Double> scrape() {
    Response r = api.get(null, "/metrics");
    assertEquals(200, r.status(), r.toString());
    assertTrue(
        r.header("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
        r.headers().toString());
    Map<String, Double> samples = new HashMap<>();
    r.text()
        .lines()
        .filter(l -> !l.isBlank() && !l.startsWith("#"))
        .forEach(
            l -> {
              int space = l.lastIndexOf(' ');
              samples.put(l.substring(0, space), Double.parseDouble(l.substring(space + 1)));
            });
    return samples;
  }

  private static double value(Map<String, Double> samples, String sample) {
    return samples.getOrDefault(sample, 0.0);
  }

  private static Map<String, Double> awaitScrape(Predicate<Map<String, Double>> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    Map<String, Double> samples = scrape();
    while (!condition.test(samples) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      samples = scrape();
    }
    return samples;
  }

  @Test
  void turnsToolCallsJournalWritesAndRequestsAreCounted() {
    Map<String, Double> before = scrape();
    String id = TestNode.newId("metrics");
    String session = "/v1/sessions/" + id;
    assertEquals(
        201,
        api.post(
                ADA,
                "/v1/sessions",
                """
        {"id": "%s", "agent": {"model": "scripted"},
         "tools": [{"name": "echo", "kind": "http", "url": "http://127.0.0.1:9/echo"},
                   {"name": "broken", "kind": "http", "url": "http://127.0.0.1:9/broken"},
                   {"name": "nope", "kind": "http", "url": "http://127.0.0.1:9/nope"}],
         "permissions": {"tools": {"*": "allow", "nope": "deny"}}}"""
                    .formatted(id))
            .status());
    Response echoed =
        api.post(
            ADA,
            session + "/messages?waitSeconds=10",
            "{\"content\": \"/tool echo {\\\"a\\\": 1}\"}");
    assertEquals("completed", echoed.json().get("status").asText(), echoed.toString());
    Response broken =
        api.post(ADA, session + "/messages?waitSeconds=10", "{\"content\": \"/tool broken {}\"}");
    assertEquals("completed", broken.json().get("status").asText(), broken.toString());
    Response denied =
        api.post(ADA, session + "/messages?waitSeconds=10", "{\"content\": \"/tool nope {}\"}");
    assertEquals("completed", denied.json().get("status").asText(), denied.toString());
    assertEquals(404, api.get(ADA, "/v1/sessions/no-such-session").status());

    Map<String, Double> after = scrape();
    assertEquals(3, delta(before, after, "agent_turns_total{outcome=\"completed\"}"));
    assertEquals(1, delta(before, after, "agent_tool_calls_total{outcome=\"succeeded\"}"));
    assertEquals(1, delta(before, after, "agent_tool_calls_total{outcome=\"failed\"}"));
    assertEquals(1, delta(before, after, "agent_tool_calls_total{outcome=\"rejected\"}"));
    assertEquals(
        1, delta(before, after, "agent_tool_call_duration_seconds_count{outcome=\"succeeded\"}"));
    assertEquals(
        1, delta(before, after, "agent_tool_call_duration_seconds_count{outcome=\"failed\"}"));
    assertEquals(
        6,
        delta(before, after, "agent_model_call_duration_seconds_count{outcome=\"succeeded\"}"),
        "two model calls for each turn with a tool call (the rejected one too)");
    assertTrue(
        delta(before, after, "agent_journal_write_duration_seconds_count") >= 7,
        "the create and at least two writes per turn: " + after);
    assertTrue(value(after, "agent_journal_write_duration_seconds_sum") > 0);
    assertEquals(
        1,
        delta(
            before,
            after,
            "agent_http_requests_total{method=\"POST\",route=\"/v1/sessions\",status=\"201\"}"));
    assertEquals(
        3,
        delta(
            before,
            after,
            "agent_http_requests_total{method=\"POST\",route=\"/v1/sessions/{id}/messages\",status=\"200\"}"));
    assertEquals(
        1,
        delta(
            before,
            after,
            "agent_http_requests_total{method=\"GET\",route=\"/v1/sessions/{id}\",status=\"404\"}"),
        "a client's id never becomes a label: the route template does");
    assertEquals(
        1,
        delta(
            before,
            after,
            "agent_http_request_duration_seconds_count{method=\"GET\",route=\"/v1/sessions/{id}\"}"));
    assertTrue(
        after.keySet().stream().noneMatch(k -> k.contains(id)), "no session id in any label");
    // The tokens the session spent, counted for its tenant (decision 0039); tenants are the
    // only label.
    JsonNode usage = api.get(ADA, session).json().get("usage");
    assertTrue(usage.get("inputTokens").asLong() > 0, usage.toString());
    assertEquals(
        usage.get("inputTokens").asDouble(),
        delta(before, after, "agent_model_tokens_total{direction=\"input\",tenant=\"acme\"}"));
    assertEquals(
        usage.get("outputTokens").asDouble(),
        delta(before, after, "agent_model_tokens_total{direction=\"output\",tenant=\"acme\"}"));
  }

  @Test
  void pendingApprovalsAndActiveSessionsAreGauges() throws InterruptedException {
    double activeBefore =
        value(awaitScrape(s -> value(s, "agent_active_sessions") == 0), "agent_active_sessions");
    assertEquals(0, activeBefore, "idle sessions passivate after a second");
    String session = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
    Map<String, Double> waiting = scrape();
    assertEquals(1, value(waiting, "agent_pending_approvals"));
    assertEquals(1, value(waiting, "agent_active_sessions"));

    String approvalId = api.get(ADA, session + "/approvals").json().get(0).get("id").asText();
    assertEquals(
        200,
        api.post(ADA, session + "/approvals/" + approvalId, "{\"decision\": \"deny\"}").status());
    Map<String, Double> decided = awaitScrape(s -> value(s, "agent_pending_approvals") == 0);
    assertEquals(0, value(decided, "agent_pending_approvals"));

    Map<String, Double> passivated = awaitScrape(s -> value(s, "agent_active_sessions") == 0);
    assertEquals(
        0,
        value(passivated, "agent_active_sessions"),
        "the idle session stopped and left the gauge");
  }

  private static double delta(
      Map<String, Double> before, Map<String, Double> after, String sample) {
    return value(after, sample) - value(before, sample);
  }
}
