package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.GUS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.testing.RecordingToolServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A {@code secretRef} resolves only among the secrets granted to the session's tenant, over HTTP on
 * a node with its real tool executor and a secrets file of two tenants: globex's tools never
 * receive acme's secret nor an environment variable of the node, and what globex hears cannot tell
 * an unknown name from another tenant's (decision 0019).
 */
class TenantSecretsApiTest {

  private static final String ACME_SECRET = "acme-secret-" + UUID.randomUUID();
  private static final String GLOBEX_SECRET = "globex-secret-" + UUID.randomUUID();

  private static RecordingToolServer tool;
  private static RealTools tools;
  private static TestNode node;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    tool = RecordingToolServer.start();
    Path secrets = Files.createTempDirectory("secrets").resolve("secrets.json");
    Files.writeString(
        secrets,
        """
        {"tenants": {
          "acme":   {"CRM_TOKEN": {"value": "%s"}},
          "globex": {"OWN_TOKEN": {"value": "%s"}}
        }}
        """
            .formatted(ACME_SECRET, GLOBEX_SECRET));
    tools = new RealTools();
    node =
        TestNode.start(
            "agent-runtime.tools.secrets-file = \"" + secrets.toString().replace("\\", "/") + "\"",
            tools::runtime);
    api = node.api;
  }

  @AfterAll
  static void stop() {
    node.close();
    tools.close();
    tool.close();
  }

  /** Creates a session of {@code key}'s with one HTTP tool per secret name, all allowed. */
  private String session(String key, List<String> refs) {
    String id = TestNode.newId("sec");
    String connections =
        refs.stream()
            .map(
                ref ->
                    "{\"name\": \"t_%s\", \"kind\": \"http\", \"url\": \"%s\", \"secretRef\": \"%s\"}"
                        .formatted(ref, tool.url("/" + id + "/" + ref), ref))
            .collect(Collectors.joining(", "));
    Response created =
        api.put(
            key,
            "/v1/sessions/" + id,
            "{\"tools\": [" + connections + "], \"permissions\": {\"tools\": {\"*\": \"allow\"}}}");
    assertEquals(201, created.status(), created.toString());
    return id;
  }

  /** Has the scripted model call every tool of the session once; answers the transcript. */
  private JsonNode callEach(String key, String id, List<String> refs) {
    String calls =
        refs.stream().map(ref -> "/tool t_" + ref + " {}").collect(Collectors.joining("\n"));
    Response turn =
        api.post(
            key,
            "/v1/sessions/" + id + "/messages?waitSeconds=20",
            Api.JSON.createObjectNode().put("content", calls).toString());
    assertEquals("completed", turn.json().path("status").asText(), turn.toString());
    return api.get(key, "/v1/sessions/" + id + "/messages").json().get("messages");
  }

  @Test
  void eachTenantsToolGetsItsOwnSecret() {
    String acme = session(ADA, List.of("CRM_TOKEN"));
    String globex = session(GUS, List.of("OWN_TOKEN"));

    callEach(ADA, acme, List.of("CRM_TOKEN"));
    callEach(GUS, globex, List.of("OWN_TOKEN"));

    assertEquals(
        "Bearer " + ACME_SECRET, tool.calls("/" + acme + "/CRM_TOKEN").get(0).authorization());
    assertEquals(
        "Bearer " + GLOBEX_SECRET, tool.calls("/" + globex + "/OWN_TOKEN").get(0).authorization());
  }

  @Test
  void anotherTenantsSecretAndTheNodesEnvironmentNeverReachATool() {
    assertTrue(
        System.getenv("PATH") != null && System.getenv("HOME") != null, "the test's premise");
    List<String> refs = List.of("CRM_TOKEN", "HOME", "PATH", "NO_SUCH_SECRET");
    String id = session(GUS, refs);

    JsonNode messages = callEach(GUS, id, refs);

    for (String ref : refs) {
      assertEquals(0, tool.calls("/" + id + "/" + ref).size(), ref + ": nothing was sent");
    }
    String transcript = messages.toString();
    assertFalse(transcript.contains(ACME_SECRET), transcript);
    assertFalse(transcript.contains(System.getenv("PATH")), transcript);
    List<String> failures = new ArrayList<>();
    for (JsonNode m : messages) {
      if (m.path("role").asText().equals("tool")) {
        assertEquals("failed", m.path("outcome").asText(), m.toString());
        failures.add(m.path("content").asText());
      }
    }
    assertEquals(refs.size(), failures.size(), transcript);
    // Unknown, another tenant's, or the node's environment: one answer, but for the name.
    List<String> shapes = new ArrayList<>();
    for (String failure : failures) {
      List<String> named = refs.stream().filter(r -> failure.contains("'" + r + "'")).toList();
      assertEquals(1, named.size(), failure);
      shapes.add(failure.replace(named.get(0), "NAME"));
    }
    assertEquals(1, shapes.stream().distinct().count(), shapes.toString());
    assertTrue(
        shapes.get(0).contains("secret_missing") || shapes.get(0).contains("not granted"),
        shapes.get(0));
  }
}
