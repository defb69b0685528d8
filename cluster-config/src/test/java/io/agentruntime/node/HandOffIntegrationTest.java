package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.RecordingToolServer.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A planned restart puts nothing in doubt that would have finished: two real node processes, a
 * session hosted by the second calls a slow tool with side effects, and the second node leaves the
 * cluster while the call runs. The session lets the call land before it moves: the tool is called
 * exactly once, its outcome is {@code succeeded}, and the turn completes on the node that stays.
 */
class HandOffIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  private final RecordingToolServer tools = RecordingToolServer.start();
  private ProcessCluster cluster;

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    tools.close();
  }

  @Test
  void aLeavingNodeLetsTheCallsInFlightLandBeforeItsSessionsMove() throws Exception {
    cluster = new ProcessCluster(home);
    cluster.startNode();
    cluster.startNode();
    cluster.awaitMembersUp(2);
    HttpClientSupport viaSeed = cluster.client(0);

    String session = null;
    for (int i = 0; i < 40 && session == null; i++) {
      String candidate = "h" + i;
      assertEquals(
          201,
          viaSeed
              .put(
                  "/v1/sessions/" + candidate,
                  "{\"tools\": [{\"name\": \"send_email\", \"kind\": \"http\", \"url\": \""
                      + tools.url("/send")
                      + "\"}], \"permissions\": {\"tools\": {\"*\": \"allow\"}}}")
              .statusCode());
      if (cluster.hostOf(candidate) == 1) {
        session = candidate;
      }
    }
    assertTrue(session != null, "a session hosted by the node that leaves");

    tools.script("/send", Reply.json("{\"sent\": true}").after(Duration.ofSeconds(5)));
    HttpResponse<String> accepted =
        viaSeed.post(
            "/v1/sessions/" + session + "/messages",
            "{\"content\": \"/tool send_email {\\\"to\\\": \\\"bob\\\"}\"}");
    assertEquals(202, accepted.statusCode(), accepted.body());
    String turnId = JSON.readTree(accepted.body()).path("turnId").asText();
    assertTrue(tools.awaitCalls("/send", 1, Duration.ofSeconds(20)), "the tool was called");

    NodeProcess leaving = cluster.node(1);
    HttpResponse<String> leave =
        new HttpClientSupport(cluster.node(0).managementUrl(), null)
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            cluster.node(0).managementUrl()
                                + "/cluster/members/pekko://"
                                + Node.SYSTEM_NAME
                                + "@"
                                + leaving.clusterAddress()))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .PUT(HttpRequest.BodyPublishers.ofString("operation=Leave")));
    assertEquals(200, leave.statusCode(), leave.body());
    int exit = leaving.awaitExit(Duration.ofSeconds(60));
    assertTrue(exit == 0 || exit == 143, "the node left and stopped cleanly: exit " + exit);

    HttpResponse<String> turn =
        viaSeed.get("/v1/sessions/" + session + "/turns/" + turnId + "?waitSeconds=30");
    assertEquals(200, turn.statusCode(), turn.body());
    assertEquals("completed", JSON.readTree(turn.body()).path("status").asText(), turn.body());
    assertNotEquals(leaving.clusterAddress(), turn.headers().firstValue("X-Agent-Node").orElse(""));

    JsonNode messages =
        JSON.readTree(viaSeed.get("/v1/sessions/" + session + "/messages").body()).path("messages");
    JsonNode outcome = null;
    for (JsonNode m : messages) {
      if ("tool".equals(m.path("role").asText())) {
        assertEquals(null, outcome, "one outcome for the one call: " + messages);
        outcome = m;
      }
    }
    assertEquals("succeeded", outcome.path("outcome").asText(), messages.toString());
    assertFalse(messages.toString().contains("in_doubt"), "nothing in doubt: " + messages);
    assertEquals(
        "[]",
        viaSeed.get("/v1/sessions/" + session + "/approvals").body().replaceAll("\\s", ""),
        "nobody is asked about the call");
    assertEquals(1, tools.count("/send"), "the tool was called exactly once");
  }
}
