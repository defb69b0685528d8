package io.agentruntime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.directory.InMemorySessionDirectory;
import io.agentruntime.runtime.model.ConfiguredModelProviders;
import io.agentruntime.runtime.session.SessionRuntime;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.tools.ToolConnection;
import io.agentruntime.runtime.tools.ToolExecutor;
import io.agentruntime.runtime.tools.ToolInvocation;
import io.agentruntime.runtime.tools.ToolResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An events stream whose client closed it stops costing the node at once (decision 0066): the
 * session no longer sends it events, so a turn nobody follows asks the model for one plain answer
 * instead of a stream of deltas (decision 0041). Keep-alives are a minute apart here, so nothing
 * but the close itself can end such a stream within the test. Real sockets against a real node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClosedEventStreamsHttpTest {

  private static final Map<String, String> SDK_HEADERS = Map.of("OpenAI-Beta", "agents=v1");

  private FakeOpenAiServer model;
  private TestNode node;

  @BeforeAll
  void start() {
    model = FakeOpenAiServer.start();
    node =
        TestNode.start(
            "agent-runtime.models.default.base-url = \""
                + model.baseUrl()
                + "\"\nagent-runtime.models.default.model = fake-model\n"
                + "agent-runtime.http.events.keep-alive = 60s\n",
            config ->
                SessionRuntime.of(
                    config,
                    new InMemorySessionDirectory(),
                    ConfiguredModelProviders.fromConfig(config),
                    new NoTools()));
  }

  @AfterAll
  void stop() {
    node.close();
    model.close();
  }

  @Test
  void aStreamItsClientClosedIsNoLongerSentTheSessionsEvents() throws Exception {
    String id = agentsSession();
    try (Socket follower = openEvents(id, "")) {
      assertTrue(turnIsStreamed(id), "while a client follows, the model's answer is streamed");
      // What a client's close sends when it has read all that came (a FIN, not a reset): no
      // write to the stream has failed, and none will for a minute.
      follower.shutdownOutput();
      long deadline = System.nanoTime() + 3_000_000_000L;
      boolean streamed = true;
      while (streamed && System.nanoTime() < deadline) {
        streamed = turnIsStreamed(id);
      }
      assertFalse(streamed, "a turn after the close is not streamed to a follower who left");
    }
  }

  @Test
  void aStreamAskedWithConnectionCloseStillFollowsItsSession() throws Exception {
    String id = agentsSession();
    try (Socket follower = openEvents(id, "Connection: close\r\n")) {
      Thread.sleep(200); // what the server would do about the close, it has done
      post(id, "hello");
      String read = readUntil(follower, "agent.session.idle");
      assertTrue(read.contains("agent.session.idle"), read);
    }
  }

  private String agentsSession() {
    Api.Response r =
        node.api.send(
            "POST",
            "/v1/agents/sessions",
            TestKeys.ADA,
            "{\"agent\":{\"model\":\"default\",\"instructions\":\"Be brief.\"}}",
            SDK_HEADERS);
    assertEquals(200, r.status(), r.toString());
    return r.json().get("id").asText();
  }

  /** {@code GET .../events} on a socket of its own, read up to the end of the response's head. */
  private Socket openEvents(String id, String extraHeaders) throws IOException {
    Socket socket = new Socket("127.0.0.1", node.server.address().getPort());
    socket.setSoTimeout(10_000);
    String request =
        "GET /v1/agents/sessions/"
            + id
            + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + TestKeys.ADA
            + "\r\nOpenAI-Beta: agents=v1\r\nAccept: text/event-stream\r\n"
            + extraHeaders
            + "\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
    String head = readUntil(socket, "\r\n\r\n");
    assertTrue(head.startsWith("HTTP/1.1 200"), head);
    return socket;
  }

  private static String readUntil(Socket socket, String marker) throws IOException {
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    while (!read.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
      int b;
      try {
        b = in.read();
      } catch (SocketTimeoutException e) {
        break;
      }
      if (b < 0) {
        break;
      }
      read.write(b);
    }
    return read.toString(StandardCharsets.ISO_8859_1);
  }

  private void post(String id, String text) {
    Api.Response r =
        node.api.send(
            "POST",
            "/v1/sessions/" + id + "/messages?waitSeconds=20",
            TestKeys.ADA,
            "{\"content\":\"" + text + "\"}",
            Map.of());
    assertEquals(200, r.status(), r.toString());
  }

  /** Runs one turn to its end; whether the model was asked to stream its answer. */
  private boolean turnIsStreamed(String id) {
    int before = model.requests().size();
    post(id, "turn " + before);
    List<JsonNode> requests = model.requests();
    assertEquals(before + 1, requests.size(), "one model call a turn");
    return requests.get(before).path("stream").asBoolean(false);
  }

  /** No runtime-run tool is called here. */
  private static final class NoTools implements ToolExecutor {
    @Override
    public CompletionStage<ToolResult> call(ToolInvocation invocation) {
      return CompletableFuture.completedFuture(new ToolResult.Failed("tool_error", "none here"));
    }

    @Override
    public CompletionStage<List<io.agentruntime.runtime.model.ToolSpec>> discover(
        String tenant, ToolConnection.Mcp connection) {
      return CompletableFuture.completedFuture(List.of());
    }

    @Override
    public void release(String sessionKey) {}
  }
}
