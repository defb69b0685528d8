package io.agentruntime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Agents API's event stream at the level of its bytes (section 4.1 of the reference): {@code
 * event:} and {@code data:} lines, no {@code id:} line ever (the Python SDK breaks on keep-alives
 * after one), comment keep-alives, a unique {@code event_id} per event, the order of section 4.3,
 * and no top-level {@code error} key; input events deduplicated by {@code Idempotency-Key}; and the
 * create stream that begins with {@code agent.session.created} and closes once the first turn
 * settled.
 */
class AgentsEventStreamHttpTest {

  private static final TestNode node = TestNode.shared();
  private static final Api api = node.api;
  private static final JournalOf journal = new JournalOf(node.system);
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final Map<String, String> SDK_HEADERS =
      Map.of(
          "OpenAI-Beta", "agents=v1", "X-Stainless-Lang", "java", "X-Stainless-Retry-Count", "0");

  /** One frame of the stream: its lines as they came, up to the blank line. */
  record Frame(List<String> lines) {
    boolean comment() {
      return lines.stream().allMatch(l -> l.startsWith(":"));
    }

    String field(String name) {
      return lines.stream()
          .filter(l -> l.startsWith(name + ":"))
          .map(l -> l.substring(name.length() + 1).stripLeading())
          .findFirst()
          .orElse(null);
    }

    JsonNode data() {
      try {
        return Api.JSON.readTree(field("data"));
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + lines, e);
      }
    }
  }

  private static String created(String json) {
    Response r = api.send("POST", "/v1/agents/sessions", TestKeys.ADA, json, SDK_HEADERS);
    assertEquals(200, r.status(), r.toString());
    return r.json().get("id").asText();
  }

  /** Reads frames of {@code lines} into {@code frames} on a thread of its own. */
  private static void read(Stream<String> lines, BlockingQueue<Frame> frames) {
    Thread reader =
        new Thread(
            () -> {
              List<String> frame = new ArrayList<>();
              try {
                lines.forEach(
                    line -> {
                      if (line.isEmpty()) {
                        if (!frame.isEmpty()) {
                          frames.add(new Frame(List.copyOf(frame)));
                          frame.clear();
                        }
                      } else {
                        frame.add(line);
                      }
                    });
              } catch (RuntimeException closed) {
                // the test went away
              }
              frames.add(new Frame(List.of(":end")));
            });
    reader.setDaemon(true);
    reader.start();
  }

  private static HttpResponse<Stream<String>> open(String method, String path, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(api.base() + path))
            .header("Authorization", "Bearer " + TestKeys.ADA)
            .header("Accept", "text/event-stream")
            .header("OpenAI-Beta", "agents=v1");
    if (body == null) {
      request.GET();
    } else {
      request.header("Content-Type", "application/json");
      request.POST(HttpRequest.BodyPublishers.ofString(body));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
  }

  private static List<Frame> until(BlockingQueue<Frame> frames, String type)
      throws InterruptedException {
    List<Frame> seen = new ArrayList<>();
    while (true) {
      Frame f = frames.poll(10, TimeUnit.SECONDS);
      assertNotNull(f, "the stream went quiet before " + type + ": " + seen);
      seen.add(f);
      if (!f.comment() && type.equals(f.field("event"))) {
        return seen;
      }
      assertFalse(f.lines().contains(":end"), "the stream ended before " + type + ": " + seen);
    }
  }

  @Test
  void theStreamFramesEventsWithoutIdLinesKeepsAliveAndKeepsTheOrderOfATurn() throws Exception {
    String id =
        created("{\"agent\": {\"model\": \"default\"}, \"environment\": {\"type\": \"none\"}}");
    HttpResponse<Stream<String>> response =
        open("GET", "/v1/agents/sessions/" + id + "/events", null);
    assertEquals(200, response.statusCode());
    assertTrue(
        response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    read(response.body(), frames);
    Thread.sleep(1500); // past the test node's keep-alive of 1 s

    String message =
        "{\"events\": [{\"type\": \"agent.session.input.message\", \"input\": [{\"role\": \"user\","
            + " \"content\": [{\"type\": \"input_text\", \"text\": \"framed\"}]}]}]}";
    Map<String, String> keyed = Map.of("Idempotency-Key", "framing-1");
    Response first =
        api.send("POST", "/v1/agents/sessions/" + id + "/events", TestKeys.ADA, message, keyed);
    assertEquals(202, first.status(), first.toString());
    assertEquals("", first.text());
    List<Frame> seen = until(frames, "agent.session.idle");

    assertTrue(seen.stream().anyMatch(Frame::comment), "no keep-alive comment: " + seen);
    List<String> types = new ArrayList<>();
    Set<String> eventIds = new HashSet<>();
    for (Frame f : seen) {
      assertTrue(f.lines().stream().noneMatch(l -> l.startsWith("id:")), "an id: line: " + f);
      if (f.comment()) {
        continue;
      }
      JsonNode data = f.data();
      assertEquals(f.field("event"), data.get("type").asText(), f.toString());
      assertFalse(data.has("error"), "a top-level error key: " + f);
      assertTrue(eventIds.add(data.get("event_id").asText()), "event_id twice: " + f);
      types.add(data.get("type").asText());
    }
    List<String> expected =
        List.of(
            "agent.session.turn.created",
            "agent.session.in_progress",
            "agent.session.turn.in_progress",
            "agent.session.turn.item.added",
            "agent.session.turn.item.added",
            "agent.session.turn.output_text.delta",
            "agent.session.turn.item.done",
            "agent.session.turn.completed",
            "agent.session.idle");
    List<String> inOrder = types.stream().filter(expected::contains).distinct().toList();
    assertEquals(
        expected.stream().distinct().toList(), inOrder, "the order of a turn's events: " + types);
    JsonNode done =
        seen.stream()
            .filter(f -> "agent.session.turn.item.done".equals(f.field("event")))
            .findFirst()
            .orElseThrow()
            .data();
    assertEquals("echo: framed", done.at("/item/content/0/text").asText());
    assertEquals("final_answer", done.at("/item/phase").asText());

    // The same input again under the same key: 202, and no second turn.
    String journaled = journal.session("acme", id);
    Response again =
        api.send("POST", "/v1/agents/sessions/" + id + "/events", TestKeys.ADA, message, keyed);
    assertEquals(202, again.status(), again.toString());
    assertEquals(journaled, journal.session("acme", id));
    assertEquals(
        1, api.get(TestKeys.ADA, "/v1/agents/sessions/" + id + "/turns").json().get("data").size());
  }

  @Test
  void refusedInputChangesNothing() {
    String id = created("{\"agent\": {\"model\": \"default\"}}");
    String before = journal.session("acme", id);
    Response unknown =
        api.post(
            TestKeys.ADA,
            "/v1/agents/sessions/" + id + "/events",
            "{\"events\": [{\"type\": \"agent.session.input.message\", \"input\": \"ok\"},"
                + " {\"type\": \"agent.session.input.dance\"}]}");
    assertEquals(400, unknown.status(), unknown.toString());
    assertEquals("events[1].type", unknown.json().at("/error/param").asText());
    assertTrue(unknown.json().at("/error/message").asText().contains("agent.session.input.dance"));
    Response toolResult =
        api.post(
            TestKeys.ADA,
            "/v1/agents/sessions/" + id + "/events",
            "{\"events\": [{\"type\": \"agent.session.input.tool_result\", \"call_id\": \"call_9\","
                + " \"turn_id\": \"t\", \"success\": true, \"output\": \"x\"}]}");
    assertEquals(400, toolResult.status());
    assertEquals(
        "Unknown pending tool call: call_9", toolResult.json().at("/error/message").asText());
    assertEquals("invalid_request_error", toolResult.json().at("/error/code").asText());
    assertEquals("invalid_request_error", toolResult.json().at("/error/type").asText());
    Response wrongType =
        api.post(
            TestKeys.ADA,
            "/v1/agents/sessions/" + id + "/events",
            "{\"events\": [{\"type\": \"agent.session.input.message\", \"input\": 7}]}");
    assertEquals(400, wrongType.status());
    assertEquals("events[0].input", wrongType.json().at("/error/param").asText());
    assertEquals(before, journal.session("acme", id));

    Response hosted =
        api.post(
            TestKeys.ADA,
            "/v1/agents/sessions",
            "{\"agent\": {\"model\": \"default\"}, \"environment\": {\"type\": \"openai_hosted\"}}");
    assertEquals(400, hosted.status());
    assertEquals("environment.type", hosted.json().at("/error/param").asText());
    Response noModel =
        api.post(TestKeys.ADA, "/v1/agents/sessions", "{\"environment\": {\"type\": \"none\"}}");
    assertEquals("agent.model", noModel.json().at("/error/param").asText());
    Response unknownAgent =
        api.post(TestKeys.ADA, "/v1/agents/sessions", "{\"agent_id\": \"agent_nope\"}");
    assertEquals(404, unknownAgent.status(), unknownAgent.toString());
    Response badTier =
        api.post(TestKeys.ADA, "/v1/agents", "{\"model\": \"default\", \"service_tier\": 5}");
    assertEquals("service_tier", badTier.json().at("/error/param").asText());
  }

  @Test
  void aCreateStreamBeginsWithCreatedAndClosesOnceTheFirstTurnSettled() throws Exception {
    HttpResponse<Stream<String>> response =
        open(
            "POST",
            "/v1/agents/sessions",
            "{\"agent\": {\"model\": \"default\"}, \"environment\": {\"type\": \"none\"},"
                + " \"input\": \"streamed\", \"stream\": true}");
    assertEquals(200, response.statusCode());
    BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    read(response.body(), frames);
    List<Frame> seen = until(frames, "agent.session.idle");
    List<Frame> events = seen.stream().filter(f -> !f.comment()).toList();
    assertEquals("agent.session.created", events.get(0).field("event"));
    assertEquals("idle", events.get(0).data().at("/session/status").asText());
    assertTrue(
        events.stream().anyMatch(f -> "agent.session.turn.completed".equals(f.field("event"))));
    Frame end = frames.poll(10, TimeUnit.SECONDS);
    assertNotNull(end);
    assertEquals(List.of(":end"), end.lines(), "the stream goes on after the first turn: " + end);
  }
}
