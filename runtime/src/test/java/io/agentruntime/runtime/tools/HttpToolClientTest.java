package io.agentruntime.runtime.tools;

import static io.agentruntime.runtime.tools.ToolFixtures.MAPPER;
import static io.agentruntime.runtime.tools.ToolFixtures.await;
import static io.agentruntime.runtime.tools.ToolFixtures.failed;
import static io.agentruntime.runtime.tools.ToolFixtures.http;
import static io.agentruntime.runtime.tools.ToolFixtures.invocation;
import static io.agentruntime.runtime.tools.ToolFixtures.json;
import static io.agentruntime.runtime.tools.ToolFixtures.settings;
import static io.agentruntime.runtime.tools.ToolFixtures.succeeded;
import static io.agentruntime.runtime.tools.ToolFixtures.unknown;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.RecordingToolServer.RecordedCall;
import io.agentruntime.runtime.testing.RecordingToolServer.Reply;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP tools, called over a real socket: what the tool receives and what the session gets back. */
class HttpToolClientTest {

  private RecordingToolServer tools;

  @BeforeEach
  void start() {
    tools = RecordingToolServer.start();
  }

  @AfterEach
  void stop() {
    tools.close();
  }

  private static HttpToolClient client(ToolSettings settings, Secrets secrets) {
    return new HttpToolClient(RoutingToolExecutor.httpClient(settings), settings, secrets, MAPPER);
  }

  private static HttpToolClient client() {
    return client(settings(), ToolFixtures.secrets(Map.of("EMAIL_TOKEN", "env-secret")));
  }

  @Test
  void theToolReceivesTheArgumentsAndTheCallsHeaders() {
    ToolConnection.Http tool = http(tools.url("/send_email"), null);

    await(client().call(invocation(tool, "send_email", "{\"to\":\"ada@example.org\"}")));

    RecordedCall call = tools.calls("/send_email").get(0);
    assertEquals("POST", call.method());
    assertEquals(json("{\"to\":\"ada@example.org\"}"), call.arguments());
    assertEquals(json("{\"arguments\":{\"to\":\"ada@example.org\"}}"), json(call.body()));
    assertEquals("call-send_email-1", call.idempotencyKey());
    assertEquals("acme/s1", call.session());
    assertEquals("application/json", call.contentType());
    assertNull(call.authorization(), "no secretRef, no Authorization header");
  }

  @Test
  void theIdempotencyKeyIsTheSameOnEveryRetryOfACall() {
    tools.script("/send_email", Reply.status(503, "busy"), Reply.json("{\"sent\":true}"));
    ToolInvocation call = invocation(http(tools.url("/send_email"), null), "send_email", "{}");

    failed(await(client().call(call)));
    succeeded(await(client().call(call)));

    assertEquals(2, tools.count("/send_email"));
    assertTrue(
        tools.calls().stream().allMatch(c -> "call-send_email-1".equals(c.idempotencyKey())));
  }

  @Test
  void theTenantsSecretIsSentAsABearerToken() {
    await(
        client()
            .call(invocation(http(tools.url("/send_email"), "EMAIL_TOKEN"), "send_email", "{}")));

    assertEquals("Bearer env-secret", tools.calls().get(0).authorization());
  }

  @Test
  void aToolThatEchoesItsSecretBackGetsItRedactedFromTheOutcome() {
    tools.script(
        "/echo",
        Reply.json("{\"seen\": \"Bearer env-secret\", \"env-secret\": [\"env-secret!\"]}"));
    tools.script("/refuse", Reply.text(401, "bad token env-secret"));

    ToolResult ok =
        await(client().call(invocation(http(tools.url("/echo"), "EMAIL_TOKEN"), "echo", "{}")));
    assertEquals(
        json("{\"seen\": \"Bearer [redacted]\", \"[redacted]\": [\"[redacted]!\"]}"),
        ((ToolResult.Succeeded) ok).result());
    ToolResult refused =
        await(client().call(invocation(http(tools.url("/refuse"), "EMAIL_TOKEN"), "refuse", "{}")));
    String message = ((ToolResult.Failed) refused).message();
    assertTrue(
        message.contains("bad token [redacted]") && !message.contains("env-secret"), message);
  }

  @Test
  void theSecretFromTheSecretsFileIsSentAndARotationTakesEffect(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("secrets.json");
    Files.writeString(file, fileOf("file-secret-1"));
    HttpToolClient client =
        client(settings(), new Secrets(Optional.of(file), Map.<String, String>of()::get));
    ToolInvocation call =
        invocation(http(tools.url("/send_email"), "EMAIL_TOKEN"), "send_email", "{}");

    await(client.call(call));
    Files.writeString(file, fileOf("file-secret-two"));
    await(client.call(call));

    assertEquals("Bearer file-secret-1", tools.calls().get(0).authorization());
    assertEquals("Bearer file-secret-two", tools.calls().get(1).authorization());
  }

  @Test
  void anErrorBodyEchoingTheTokenAcrossTheExcerptsCutLeavesNoStartOfIt() {
    String secret = "tok-0123456789abcdef"; // 20 characters
    // 180 + 12 characters before the token: the 200-character excerpt cuts through it.
    tools.script("/refuse", Reply.text(401, "A".repeat(180) + " got Bearer " + secret + " bye"));
    HttpToolClient client = client(settings(), ToolFixtures.secrets(Map.of("T", secret)));

    String message =
        failed(await(client.call(invocation(http(tools.url("/refuse"), "T"), "refuse", "{}"))))
            .message();

    assertFalse(message.contains(secret.substring(0, 3)), message);
    assertTrue(message.contains("got Bearer [redac"), message);
  }

  @Test
  void anErrorBodyCutAtTheReadLimitInsideTheTokenLeavesNoStartOfIt() {
    String secret = "tok-0123456789abcdef";
    // The error body is read up to 4096 bytes: this one ends 6 characters into the token.
    tools.script("/refuse", Reply.text(500, "B".repeat(4090) + secret));
    ToolSettings wide =
        new ToolSettings(
            ToolHosts.loopbackOnly(),
            Optional.empty(),
            256 * 1024,
            10_000,
            Duration.ofSeconds(10),
            Duration.ofMinutes(1),
            Duration.ofSeconds(2),
            settings().mcp());
    HttpToolClient client = client(wide, ToolFixtures.secrets(Map.of("T", secret)));

    String message =
        failed(await(client.call(invocation(http(tools.url("/refuse"), "T"), "refuse", "{}"))))
            .message();

    assertFalse(message.contains(secret.substring(0, 6)), message);
    assertTrue(message.endsWith("B[redacted]"), message.substring(message.length() - 40));
  }

  @Test
  void aTokenWithQuotesAndBackslashesIsRedactedInResultsAndInJsonErrorBodies() {
    String secret = "t\"o\\k-en-42";
    String escaped = "t\\\"o\\\\k-en-42"; // as JSON writes it
    tools.script("/echo", Reply.json("{\"seen\": \"Bearer " + escaped + "\"}"));
    tools.script("/refuse", Reply.json(401, "{\"error\": \"bad token " + escaped + "\"}"));
    HttpToolClient client = client(settings(), ToolFixtures.secrets(Map.of("T", secret)));

    JsonNode result =
        succeeded(await(client.call(invocation(http(tools.url("/echo"), "T"), "echo", "{}"))));
    String message =
        failed(await(client.call(invocation(http(tools.url("/refuse"), "T"), "refuse", "{}"))))
            .message();

    assertEquals("Bearer " + secret, tools.calls("/echo").get(0).authorization());
    assertEquals("Bearer [redacted]", result.get("seen").asText());
    assertFalse(message.contains(escaped) || message.contains(secret), message);
    assertTrue(message.contains("bad token [redacted]"), message);
  }

  private static String fileOf(String emailToken) {
    return "{\"tenants\": {\"acme\": {\"EMAIL_TOKEN\": {\"value\": \"" + emailToken + "\"}}}}";
  }

  @Test
  void aMissingSecretFailsTheCallWithoutSendingIt() {
    ToolResult.Failed f =
        failed(
            await(
                client()
                    .call(
                        invocation(
                            http(tools.url("/send_email"), "NO_SUCH_TOKEN"), "send_email", "{}"))));

    assertEquals("secret_missing", f.code());
    assertTrue(f.message().contains("NO_SUCH_TOKEN"), f.message());
    assertEquals(0, tools.calls().size());
  }

  @Test
  void aSecretThatCannotBeAHeaderFailsTheCallWithoutSendingOrQuotingIt() {
    HttpToolClient client = client(settings(), ToolFixtures.secrets(Map.of("BAD", "line1\nline2")));

    ToolResult.Failed f =
        failed(
            await(
                client.call(
                    invocation(http(tools.url("/send_email"), "BAD"), "send_email", "{}"))));

    assertEquals("secret_invalid", f.code());
    assertFalse(f.message().contains("line1"));
    assertEquals(0, tools.calls().size());
  }

  @Test
  void aJsonAnswerIsTheResult() {
    tools.script("/send_email", Reply.json("{\"sent\":true,\"id\":42}"));

    assertEquals(
        json("{\"sent\":true,\"id\":42}"),
        succeeded(
            await(
                client()
                    .call(invocation(http(tools.url("/send_email"), null), "send_email", "{}")))));
  }

  @Test
  void aTextAnswerIsAStringResult() {
    tools.script("/a", Reply.text(200, "42"));
    tools.script("/b", Reply.untyped(200, "not json {"));
    tools.script("/c", Reply.json(204, ""));
    tools.script("/d", Reply.untyped(200, "[1, 2]"));

    assertEquals(
        json("\"42\""),
        succeeded(await(client().call(invocation(http(tools.url("/a"), null), "a", "{}")))));
    assertEquals(
        json("\"not json {\""),
        succeeded(await(client().call(invocation(http(tools.url("/b"), null), "b", "{}")))));
    assertEquals(
        json("\"\""),
        succeeded(await(client().call(invocation(http(tools.url("/c"), null), "c", "{}")))));
    assertEquals(
        json("[1,2]"),
        succeeded(await(client().call(invocation(http(tools.url("/d"), null), "d", "{}")))));
  }

  @Test
  void aServerErrorIsAFailureQuotingTheStatusAndTheBody() {
    tools.script("/send_email", Reply.json(500, "{\"error\": \"mailbox   full\"}"));

    ToolResult.Failed f =
        failed(
            await(
                client()
                    .call(invocation(http(tools.url("/send_email"), null), "send_email", "{}"))));

    assertEquals("tool_http_error", f.code());
    assertEquals("the tool answered HTTP 500: {\"error\": \"mailbox full\"}", f.message());
  }

  @Test
  void aLongErrorBodyIsCut() {
    tools.script("/send_email", Reply.text(400, "y".repeat(100_000)));

    ToolResult.Failed f =
        failed(
            await(
                client()
                    .call(invocation(http(tools.url("/send_email"), null), "send_email", "{}"))));

    assertEquals("tool_http_error", f.code());
    assertTrue(f.message().length() < 300, f.message());
  }

  @Test
  void aRedirectIsNotFollowed() {
    tools.script("/moved", Reply.redirect(tools.url("/elsewhere")));

    ToolResult.Failed f =
        failed(await(client().call(invocation(http(tools.url("/moved"), null), "moved", "{}"))));

    assertEquals("tool_http_error", f.code());
    assertEquals(0, tools.count("/elsewhere"));
  }

  /**
   * Decision 0016 changed this test: a timeout was a failure. The request reached the tool, which
   * may have acted: the outcome is unknown, never failed.
   */
  @Test
  void aToolThatDoesNotAnswerInTimeHasAnUnknownOutcome() {
    tools.script("/slow", Reply.hang());
    ToolInvocation call =
        invocation("acme/s1", http(tools.url("/slow"), null), "slow", "{}", Duration.ofMillis(300));

    long started = System.nanoTime();
    ToolResult.Unknown f = unknown(await(client().call(call)));

    assertEquals("tool_timeout", f.code());
    assertEquals(1, tools.count("/slow"), "the request was sent");
    assertTrue(
        Duration.ofNanos(System.nanoTime() - started).toMillis() < 5000,
        "well before the tool would answer");
  }

  @Test
  void aSlowAnswerWithinTheTimeoutSucceeds() {
    tools.script("/slow", Reply.json("{\"ok\":true}").after(Duration.ofMillis(200)));
    ToolInvocation call =
        invocation("acme/s1", http(tools.url("/slow"), null), "slow", "{}", Duration.ofSeconds(5));

    assertEquals(json("{\"ok\":true}"), succeeded(await(client().call(call))));
  }

  @Test
  void anAnswerOverTheSizeLimitFails() {
    HttpToolClient small =
        client(settings().withMaxResultBytes(1024), ToolFixtures.secrets(Map.of()));
    tools.script("/declared", Reply.largeJson(10_000));
    tools.script("/streamed", Reply.largeJson(200_000).streamed());
    tools.script("/fits", Reply.largeJson(1024));
    tools.script("/endless", Reply.endless());

    ToolResult.Failed declared =
        failed(await(small.call(invocation(http(tools.url("/declared"), null), "declared", "{}"))));
    ToolResult.Failed streamed =
        failed(await(small.call(invocation(http(tools.url("/streamed"), null), "streamed", "{}"))));
    ToolResult.Failed endless =
        failed(await(small.call(invocation(http(tools.url("/endless"), null), "endless", "{}"))));
    JsonNode fits =
        succeeded(await(small.call(invocation(http(tools.url("/fits"), null), "fits", "{}"))));

    assertEquals("tool_result_too_large", declared.code());
    assertEquals("tool_result_too_large", streamed.code());
    assertEquals("tool_result_too_large", endless.code(), "reading stops at the limit");
    assertTrue(declared.message().contains("1024"));
    assertEquals(
        1024 - 11, fits.get("data").asText().length(), "an answer of exactly the limit fits");
  }

  @Test
  void aHostOutsideTheAllowListIsNeverContacted() {
    HttpToolClient strict =
        client(
            settings().withAllowedHosts(ToolHosts.parse("tools.internal")),
            ToolFixtures.secrets(Map.of()));

    ToolResult.Failed f =
        failed(
            await(
                strict.call(invocation(http(tools.url("/send_email"), null), "send_email", "{}"))));

    assertEquals("host_not_allowed", f.code());
    assertTrue(f.message().contains("'127.0.0.1'"), f.message());
    assertEquals(0, tools.calls().size());
  }

  @Test
  void aToolThatIsNotListeningIsUnreachable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }

    ToolResult.Failed f =
        failed(
            await(
                client()
                    .call(invocation(http("http://127.0.0.1:" + port + "/x", null), "x", "{}"))));

    assertEquals("tool_unreachable", f.code(), "a refused connection proves nothing was sent");
  }

  @Test
  void aConnectionClosedAfterTheRequestWasSentHasAnUnknownOutcome() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Thread server =
          new Thread(
              () -> {
                try (java.net.Socket s = socket.accept()) {
                  s.getInputStream().read(new byte[1024]); // the request arrived ...
                } catch (java.io.IOException e) {
                  // ... and the connection closes without an answer
                }
              });
      server.start();

      ToolResult.Unknown u =
          unknown(
              await(
                  client()
                      .call(
                          invocation(
                              http("http://127.0.0.1:" + socket.getLocalPort() + "/x", null),
                              "x",
                              "{}"))));

      assertEquals("tool_connection_lost", u.code());
      server.join(5000);
    }
  }

  @Test
  void noArgumentsAreSentAsAnEmptyObject() {
    ToolInvocation call =
        new ToolInvocation(
            "acme", "acme/s1", http(tools.url("/t"), null), "t", null, "k", Duration.ofSeconds(5));

    succeeded(await(client().call(call)));

    assertEquals(json("{}"), tools.calls().get(0).arguments());
  }
}
