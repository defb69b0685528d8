package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.agentruntime.http.Api.Response;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every failure answers its status with the error body, and every response carries its request id.
 */
class ErrorsApiTest {

  private final TestNode node = TestNode.shared();
  private final Api api = node.api;

  @Test
  void malformedJsonIs400() {
    Response r = api.post(ADA, "/v1/sessions", "{\"id\": ");
    assertError(r, 400, "malformed_json");
    assertError(api.post(ADA, "/v1/sessions", "{} {}"), 400, "malformed_json");
  }

  @Test
  void aFieldOfTheWrongTypeIs400NamingTheField() {
    Response r =
        api.post(
            ADA, "/v1/sessions", "{\"agent\": {\"limits\": {\"maxStepsPerTurn\": \"eight\"}}}");
    assertError(r, 400, "invalid_field");
    assertEquals("agent.limits.maxStepsPerTurn must be an integer", r.errorMessage());

    assertEquals(
        "agent must be an object", api.post(ADA, "/v1/sessions", "{\"agent\": []}").errorMessage());
    assertEquals(
        "metadata.team must be a string",
        api.post(ADA, "/v1/sessions", "{\"metadata\": {\"team\": 1}}").errorMessage());
    assertEquals(
        "tools[0].name is required",
        api.post(
                ADA,
                "/v1/sessions",
                "{\"tools\": [{\"kind\": \"http\", \"url\": \"http://x.internal/\"}]}")
            .errorMessage());
    assertEquals(
        "the request body must be a JSON object",
        api.post(ADA, "/v1/sessions", "[]").errorMessage());
  }

  @Test
  void anInvalidValueIs400NamingTheField() {
    Response r =
        api.post(ADA, "/v1/sessions", "{\"agent\": {\"limits\": {\"maxStepsPerTurn\": 0}}}");
    assertError(r, 400, "invalid_field");
    assertTrue(r.errorMessage().startsWith("agent.limits.maxStepsPerTurn"), r.errorMessage());
  }

  @Test
  void anInvalidIdIs400() {
    assertError(api.post(ADA, "/v1/sessions", "{\"id\": \"has space\"}"), 400, "invalid_field");
    assertError(
        api.post(ADA, "/v1/sessions", "{\"id\": \"" + "x".repeat(65) + "\"}"),
        400,
        "invalid_field");
    assertError(api.get(ADA, "/v1/sessions/bad:id"), 400, "invalid_field");
    assertError(api.put(ADA, "/v1/sessions/bad.id", "{}"), 400, "invalid_field");
  }

  @Test
  void noOrABadKeyIs401() {
    for (Response r :
        List.of(
            api.get(null, "/v1/sessions"),
            api.get("not-a-key", "/v1/sessions"),
            api.get("dev-key", "/v1/sessions"),
            api.send(
                "GET", "/v1/sessions", null, null, Map.of("Authorization", "Basic YWRhOnB3")))) {
      assertError(r, 401, "unauthorized");
      assertEquals("Bearer", r.header("WWW-Authenticate").orElseThrow());
    }
  }

  @Test
  void anUnknownSessionOrRouteIs404() {
    assertError(api.get(ADA, "/v1/sessions/" + TestNode.newId("nobody")), 404, "session_not_found");
    assertError(api.get(ADA, "/v1/nothing"), 404, "not_found");
    assertError(api.get(null, "/nothing/here"), 404, "not_found");
    assertError(api.get(ADA, "/v1/sessions/x/unknown"), 404, "not_found");
    assertError(api.get(ADA, "/v1/sessionsx"), 404, "not_found");
    assertError(api.get(ADA, "/v1/sessions/x/memoryx"), 404, "not_found");
  }

  @Test
  void anUnsupportedMethodIs405() {
    Response r = api.send("PATCH", "/v1/sessions/x", ADA, "{}", Map.of());
    assertError(r, 405, "method_not_allowed");
    String allow = r.header("Allow").orElseThrow();
    assertTrue(allow.contains("GET") && allow.contains("PUT") && allow.contains("DELETE"), allow);
  }

  @Test
  void aWritePastTheRequestTimeoutIs504OutcomeUnknownWithRetryAfter() throws Exception {
    HttpServer shortTimeout = node.serve("agent-runtime.http.request-timeout = 1s", node.keysFile);
    try {
      Api impatient = new Api(shortTimeout.address());
      String session = "/v1/sessions/" + TestNode.newId("timeout");
      assertEquals(
          201, impatient.put(ADA, session, "{\"agent\": {\"model\": \"stall\"}}").status());
      // The stalling model never answers: waiting 5 s for the turn outlasts the 1 s request
      // timeout.
      Response waited =
          impatient.post(ADA, session + "/messages?waitSeconds=5", "{\"content\": \"hm\"}");
      // The message was accepted (its turn runs): never a 503, "nothing was accepted".
      assertError(waited, 504, "outcome_unknown");
      assertTrue(waited.header("Retry-After").isPresent(), "a client knows when to try again");
    } finally {
      shortTimeout.stop().toCompletableFuture().get();
    }
  }

  @Test
  void aBodyOverTheLimitIs413() throws Exception {
    // Refused from its Content-Length alone: the answer comes before the body is sent. (A client
    // that sends the whole body first may see the connection close before it reads the answer.)
    String announced =
        api.raw(
            "POST /v1/sessions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + ADA
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + (node.settings.maxBodyBytes() + 1)
                + "\r\n\r\n{");
    assertTrue(announced.startsWith("HTTP/1.1 413"), announced);
    assertTrue(announced.contains("\"code\":\"body_too_large\""), announced);

    // Without a Content-Length (chunked), the limit holds as the body streams in.
    byte[] bytes =
        ("{\"x\": \"" + "x".repeat((int) node.settings.maxBodyBytes()) + "\"}").getBytes();
    HttpRequest chunked =
        HttpRequest.newBuilder(URI.create(api.base() + "/v1/sessions"))
            .header("Authorization", "Bearer " + ADA)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
            .build();
    assertError(api.send(chunked), 413, "body_too_large");
  }

  @Test
  void aRequestTheServerCannotParseGetsTheErrorBodyWithoutEchoingIt() throws Exception {
    String secret = "Bearer " + "s".repeat(10_000);
    for (String request :
        List.of(
            "GET /v1/sessions HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
            "GET /v1/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: " + secret + "\r\n\r\n")) {
      String raw = api.raw(request);
      String status = raw.substring(0, raw.indexOf("\r\n"));
      assertTrue(status.matches("HTTP/1.1 4\\d\\d .*"), status);
      String requestId =
          raw.lines()
              .filter(l -> l.toLowerCase().startsWith("x-request-id:"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no X-Request-Id in " + raw))
              .substring(13)
              .trim();
      String body = raw.substring(raw.indexOf("\r\n\r\n") + 4);
      assertEquals(requestId, Api.JSON.readTree(body).at("/error/requestId").asText(), body);
      assertFalse(raw.contains("ssssssssss"), "never echoes a header");
    }
  }

  @Test
  void aBodyThatIsNotJsonIs415() {
    assertError(
        api.send("POST", "/v1/sessions", ADA, "id=x", Map.of("Content-Type", "text/plain")),
        415,
        "unsupported_media_type");
    assertError(
        api.send(
            "PUT",
            "/v1/sessions/x/memory/k",
            ADA,
            "1",
            Map.of("Content-Type", "application/x-www-form-urlencoded")),
        415,
        "unsupported_media_type");
  }

  @Test
  void everyResponseCarriesItsRequestIdAndErrorBodiesRepeatIt() {
    for (Response r :
        List.of(
            api.get(ADA, "/v1/sessions"),
            api.get(null, "/health/alive"),
            api.get(null, "/v1/sessions"),
            api.get(ADA, "/nothing"),
            api.post(ADA, "/v1/sessions", "{"))) {
      String id =
          r.header("X-Request-Id").orElseThrow(() -> new AssertionError("no X-Request-Id on " + r));
      assertTrue(id.matches("[A-Za-z0-9_.-]{1,64}"), id);
      if (r.status() >= 400) {
        assertEquals(id, r.json().at("/error/requestId").asText());
      }
    }

    Response own =
        api.send("GET", "/v1/nothing", ADA, null, Map.of("X-Request-Id", "client-id.42"));
    assertEquals("client-id.42", own.header("X-Request-Id").orElseThrow());
    assertEquals("client-id.42", own.json().at("/error/requestId").asText());

    Response insane =
        api.send("GET", "/v1/nothing", ADA, null, Map.of("X-Request-Id", "no spaces please"));
    assertFalse(insane.header("X-Request-Id").orElseThrow().contains(" "));
    assertEquals(
        insane.header("X-Request-Id").orElseThrow(), insane.json().at("/error/requestId").asText());
  }

  @Test
  void eachRequestIsLoggedOnceWithItsIdAndNeverWithItsKeyOrBody() {
    Logger requests = (Logger) LoggerFactory.getLogger("io.agentruntime.http.requests");
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    requests.addAppender(captured);
    try {
      Response r =
          api.send(
              "POST",
              "/v1/sessions",
              ADA,
              "{\"memory\": {\"pin\": \"1234\"}}",
              Map.of("X-Request-Id", "log-check-1"));
      assertEquals(201, r.status());
      List<ILoggingEvent> lines =
          captured.list.stream()
              .filter(e -> "log-check-1".equals(e.getMDCPropertyMap().get("requestId")))
              .toList();
      assertEquals(1, lines.size());
      String line = lines.get(0).getFormattedMessage();
      assertTrue(line.contains("POST /v1/sessions 201") && line.contains("log-check-1"), line);
      assertFalse(line.contains(ADA) || line.contains("1234"), line);
    } finally {
      requests.detachAppender(captured);
    }
  }

  private static void assertError(Response r, int status, String code) {
    assertEquals(status, r.status(), r.toString());
    assertEquals(code, r.errorCode(), r.toString());
    assertFalse(r.errorMessage().isEmpty());
    assertEquals(r.header("X-Request-Id").orElseThrow(), r.json().at("/error/requestId").asText());
    assertEquals("application/json", r.header("Content-Type").orElseThrow());
  }
}
