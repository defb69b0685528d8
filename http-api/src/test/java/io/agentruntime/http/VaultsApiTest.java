package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.BOB;
import static io.agentruntime.http.TestKeys.GUS;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.NotFoundException;
import com.openai.models.beta.agents.vaults.Vault;
import com.openai.models.beta.agents.vaults.VaultCreateParams;
import com.openai.models.beta.agents.vaults.credentials.Credential;
import com.openai.models.beta.agents.vaults.credentials.CredentialAuthCreateParam;
import com.openai.models.beta.agents.vaults.credentials.CredentialAuthRotateParam;
import com.openai.models.beta.agents.vaults.credentials.CredentialCreateParams;
import com.openai.models.beta.agents.vaults.credentials.CredentialRetrieveParams;
import com.openai.models.beta.agents.vaults.credentials.CredentialUpdateParams;
import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.TestMcpServer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The vault API over real HTTP, driven by the official Java SDK, on a node with a vault key and its
 * real tool executor (docs/vaults.md, decision 0029): a credential goes in and never comes back
 * out, a session created with its vault sends it to an HTTP tool as a bearer at call time, a
 * rotation reaches the next call without a restart, another tenant or user can neither see nor use
 * it, and neither the journal nor the node's log ever holds the token.
 */
class VaultsApiTest {

  private static final String TOKEN_1 = "tok1-" + UUID.randomUUID();
  private static final String TOKEN_2 = "tok2-" + UUID.randomUUID();

  private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private static RecordingToolServer tool;
  private static RealTools tools;
  private static TestNode node;
  private static Api api;

  @BeforeAll
  static void start() {
    logs.start();
    root().addAppender(logs);
    tool = RecordingToolServer.start();
    tools = new RealTools();
    node = TestNode.start("agent-runtime.vault.key = \"" + newKey() + "\"", tools::runtime);
    api = node.api;
  }

  @AfterAll
  static void stop() {
    node.close();
    tools.close();
    tool.close();
    root().detachAppender(logs);
  }

  static String newKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  static OpenAIClient sdk(TestNode on, String key) {
    return OpenAIOkHttpClient.builder()
        .apiKey(key)
        .baseUrl(
            "http://"
                + on.server.address().getHostString()
                + ":"
                + on.server.address().getPort()
                + "/v1")
        .maxRetries(0)
        .build();
  }

  private static Credential bearerCredential(OpenAIClient client, String vaultId, String token) {
    return client
        .beta()
        .agents()
        .vaults()
        .credentials()
        .create(
            CredentialCreateParams.builder()
                .vaultId(vaultId)
                .name("crm")
                .auth(
                    CredentialAuthCreateParam.StaticBearer.builder()
                        .mcpServerUrl(tool.url("/mcp"))
                        .token(token)
                        .build())
                .build());
  }

  /** A session of {@code key} with {@code vaultIds} and one HTTP tool naming {@code ref}. */
  private static Response session(String key, String id, List<String> vaultIds, String ref) {
    String vaults =
        vaultIds.stream().map(v -> "\"" + v + "\"").reduce((a, b) -> a + ", " + b).orElse("");
    return api.put(
        key,
        "/v1/sessions/" + id,
        ("{\"vaultIds\": [%s], \"tools\": [{\"name\": \"crm\", \"kind\": \"http\", \"url\": \"%s\","
                + " \"secretRef\": \"%s\"}], \"permissions\": {\"tools\": {\"*\": \"allow\"}}}")
            .formatted(vaults, tool.url("/" + id), ref));
  }

  /** Has the scripted model call the session's tool once; answers the tool's outcome message. */
  private static JsonNode callTool(String key, String id) {
    Response turn =
        api.post(
            key,
            "/v1/sessions/" + id + "/messages?waitSeconds=20",
            Api.JSON.createObjectNode().put("content", "/tool crm {}").toString());
    assertEquals("completed", turn.json().path("status").asText(), turn.toString());
    JsonNode messages = api.get(key, "/v1/sessions/" + id + "/messages").json().get("messages");
    JsonNode last = null;
    for (JsonNode m : messages) {
      if (m.path("role").asText().equals("tool")) {
        last = m;
      }
    }
    return last;
  }

  @Test
  void theSdkCreatesAVaultAndACredentialAndNeverGetsTheSecretBack() {
    OpenAIClient ada = sdk(node, ADA);
    Vault vault =
        ada.beta().agents().vaults().create(VaultCreateParams.builder().name("Ada's").build());
    Credential created = bearerCredential(ada, vault.id(), TOKEN_1);

    assertEquals(vault.id(), created.vaultId());
    assertEquals(tool.url("/mcp"), created.auth().asStaticBearer().mcpServerUrl());
    Credential read =
        ada.beta()
            .agents()
            .vaults()
            .credentials()
            .retrieve(created.id(), CredentialRetrieveParams.builder().vaultId(vault.id()).build());
    assertEquals(created.id(), read.id());
    List<String> listed = new ArrayList<>();
    ada.beta()
        .agents()
        .vaults()
        .credentials()
        .list(vault.id())
        .autoPager()
        .forEach(c -> listed.add(c.id()));
    assertEquals(List.of(created.id()), listed);
    assertTrue(
        ada.beta().agents().vaults().list().autoPager().stream()
            .anyMatch(v -> v.id().equals(vault.id())));

    for (String path :
        List.of(
            "/v1/vaults",
            "/v1/vaults/" + vault.id(),
            "/v1/vaults/" + vault.id() + "/credentials",
            "/v1/vaults/" + vault.id() + "/credentials/" + created.id())) {
      Response r = api.get(ADA, path);
      assertEquals(200, r.status(), r.toString());
      assertFalse(r.text().contains(TOKEN_1), path + ": " + r.text());
    }
    assertNothingHolds(TOKEN_1);
  }

  @Test
  void aSessionsToolGetsTheBearerAndARotationReachesTheNextCall() {
    OpenAIClient ada = sdk(node, ADA);
    Vault vault = ada.beta().agents().vaults().create();
    Credential credential = bearerCredential(ada, vault.id(), TOKEN_1);
    String id = TestNode.newId("vlt");
    Response created =
        session(ADA, id, List.of(vault.id()), "vault:" + vault.id() + "/" + credential.id());
    assertEquals(201, created.status(), created.toString());

    assertEquals("succeeded", callTool(ADA, id).path("outcome").asText());
    assertEquals("Bearer " + TOKEN_1, tool.calls("/" + id).get(0).authorization());

    Credential rotated =
        ada.beta()
            .agents()
            .vaults()
            .credentials()
            .update(
                credential.id(),
                CredentialUpdateParams.builder()
                    .vaultId(vault.id())
                    .auth(CredentialAuthRotateParam.StaticBearer.builder().token(TOKEN_2).build())
                    .build());
    assertTrue(rotated.updatedAt() >= credential.updatedAt());

    assertEquals("succeeded", callTool(ADA, id).path("outcome").asText());
    assertEquals("Bearer " + TOKEN_2, tool.calls("/" + id).get(1).authorization());

    // An Agents-API MCP tool's credential_id alone: looked for among the session's vaults.
    String byCredential = TestNode.newId("vlt");
    assertEquals(
        201, session(ADA, byCredential, List.of(vault.id()), "vault:" + credential.id()).status());
    assertEquals("succeeded", callTool(ADA, byCredential).path("outcome").asText());
    assertEquals("Bearer " + TOKEN_2, tool.calls("/" + byCredential).get(0).authorization());

    String transcript = api.get(ADA, "/v1/sessions/" + id + "/messages").text();
    assertFalse(transcript.contains(TOKEN_1) || transcript.contains(TOKEN_2), transcript);
    Response view = api.get(ADA, "/v1/sessions/" + id);
    assertEquals("[\"" + vault.id() + "\"]", view.json().path("vaultIds").toString());
    assertFalse(view.text().contains(TOKEN_1) || view.text().contains(TOKEN_2), view.text());
    assertJournalHolds(PersistenceId.of("Session", "acme:" + id).id(), TOKEN_1, TOKEN_2);
    assertNothingHolds(TOKEN_1);
    assertNothingHolds(TOKEN_2);
  }

  @Test
  void anMcpConnectionTakesTheCredentialForItsUrlAtDiscoveryAndOnEveryCall() {
    try (TestMcpServer mcp = TestMcpServer.start()) {
      OpenAIClient ada = sdk(node, ADA);
      Vault vault = ada.beta().agents().vaults().create();
      Credential credential =
          ada.beta()
              .agents()
              .vaults()
              .credentials()
              .create(
                  CredentialCreateParams.builder()
                      .vaultId(vault.id())
                      .name("docs")
                      .auth(
                          CredentialAuthCreateParam.StaticBearer.builder()
                              .mcpServerUrl(mcp.url())
                              .token(TOKEN_1)
                              .build())
                      .build());
      String id = TestNode.newId("vlt-mcp");
      // No secretRef: the one credential of the session's vaults for this URL is taken.
      Response created =
          api.put(
              ADA,
              "/v1/sessions/" + id,
              ("{\"vaultIds\": [\"%s\"], \"tools\": [{\"name\": \"docs\", \"kind\": \"mcp\","
                      + " \"url\": \"%s\", \"allow\": [\"echo\"]}], \"permissions\": {\"tools\":"
                      + " {\"*\": \"allow\"}}}")
                  .formatted(vault.id(), mcp.url()));
      assertEquals(201, created.status(), created.toString());
      assertFalse(mcp.requests().isEmpty(), "discovered at creation");
      echo(id);
      mcp.requests()
          .forEach(r -> assertEquals("Bearer " + TOKEN_1, r.authorization(), r.toString()));

      ada.beta()
          .agents()
          .vaults()
          .credentials()
          .update(
              credential.id(),
              CredentialUpdateParams.builder()
                  .vaultId(vault.id())
                  .auth(CredentialAuthRotateParam.StaticBearer.builder().token(TOKEN_2).build())
                  .build());
      int before = mcp.requests().size();
      echo(id);
      // A connection added later is discovered with the credential too.
      Response added =
          api.put(
              ADA,
              "/v1/sessions/" + id + "/tools/docs2",
              "{\"kind\": \"mcp\", \"url\": \"" + mcp.url() + "\", \"allow\": [\"echo\"]}");
      assertEquals(200, added.status(), added.toString());
      List<TestMcpServer.Request> after = mcp.requests().subList(before, mcp.requests().size());
      assertTrue(after.size() > 1, after.toString());
      after.forEach(r -> assertEquals("Bearer " + TOKEN_2, r.authorization(), r.toString()));
      assertJournalHolds(PersistenceId.of("Session", "acme:" + id).id(), TOKEN_1, TOKEN_2);
      assertNothingHolds(TOKEN_2);
    }
  }

  private static void echo(String id) {
    Response turn =
        api.post(
            ADA,
            "/v1/sessions/" + id + "/messages?waitSeconds=20",
            "{\"content\": \"/tool docs__echo {\\\"text\\\": \\\"hi\\\"}\"}");
    assertEquals("completed", turn.json().path("status").asText(), turn.toString());
    JsonNode messages = api.get(ADA, "/v1/sessions/" + id + "/messages").json().get("messages");
    JsonNode last = messages.get(messages.size() - 2);
    assertEquals("succeeded", last.path("outcome").asText(), messages.toString());
  }

  /**
   * The Agents API's way: a session names its vaults ({@code vault_ids}) and an {@code mcp} tool
   * its credential ({@code credential_id}); the MCP server hears the bearer from discovery on, the
   * session echoes both, and another tenant cannot name the vault.
   */
  @Test
  void anAgentsApiSessionsMcpToolUsesTheCredentialItNamesFromItsVaults() {
    try (TestMcpServer mcp = TestMcpServer.start()) {
      OpenAIClient ada = sdk(node, ADA);
      Vault vault = ada.beta().agents().vaults().create();
      Credential credential =
          ada.beta()
              .agents()
              .vaults()
              .credentials()
              .create(
                  CredentialCreateParams.builder()
                      .vaultId(vault.id())
                      .name("docs")
                      .auth(
                          CredentialAuthCreateParam.StaticBearer.builder()
                              .mcpServerUrl(mcp.url())
                              .token(TOKEN_1)
                              .build())
                      .build());
      String body =
          ("{\"agent\": {\"model\": \"default\", \"tools\": [{\"type\": \"mcp\","
                  + " \"server_label\": \"docs\", \"transport\": {\"type\": \"http\","
                  + " \"server_url\": \"%s\"}, \"allowed_tools\": [\"echo\"],"
                  + " \"credential_id\": \"%s\"}]}, \"environment\": {\"type\": \"none\"},"
                  + " \"vault_ids\": [\"%s\"]}")
              .formatted(mcp.url(), credential.id(), vault.id());

      Response created = api.post(ADA, "/v1/agents/sessions", body);
      assertEquals(200, created.status(), created.toString());
      assertEquals("[\"" + vault.id() + "\"]", created.json().path("vault_ids").toString());
      assertEquals(
          credential.id(),
          created.json().at("/agent/tools/0/credential_id").asText(),
          created.toString());
      assertFalse(mcp.requests().isEmpty(), "discovered at creation");
      mcp.requests()
          .forEach(r -> assertEquals("Bearer " + TOKEN_1, r.authorization(), r.toString()));
      String sessionId = created.json().path("id").asText();
      assertJournalHolds(PersistenceId.of("Session", "acme:" + sessionId).id(), TOKEN_1);

      Response refused = api.post(GUS, "/v1/agents/sessions", body);
      assertEquals(404, refused.status(), refused.toString());
      assertEquals("vault_not_found", refused.errorCode());
    }
  }

  @Test
  void anotherTenantOrUserCanNeitherSeeNorUseTheCredential() {
    OpenAIClient ada = sdk(node, ADA);
    Vault vault = ada.beta().agents().vaults().create();
    Credential credential = bearerCredential(ada, vault.id(), TOKEN_1);
    String ref = "vault:" + vault.id() + "/" + credential.id();

    for (String other : List.of(GUS, BOB, OLGA)) {
      OpenAIClient client = sdk(node, other);
      assertThrows(
          NotFoundException.class,
          () -> client.beta().agents().vaults().retrieve(vault.id()),
          other);
      assertFalse(
          client.beta().agents().vaults().list().autoPager().stream()
              .anyMatch(v -> v.id().equals(vault.id())),
          other);
      Response refused = session(other, TestNode.newId("vlt"), List.of(vault.id()), ref);
      assertEquals(404, refused.status(), other + ": " + refused);
      assertEquals("vault_not_found", refused.errorCode());
    }

    // A session of globex that names the credential without the vault, and one of acme's other
    // user: the call fails before anything is sent.
    for (String[] attempt :
        List.of(
            new String[] {GUS, ref},
            new String[] {BOB, ref},
            new String[] {GUS, "vault:" + credential.id()})) {
      String other = attempt[0];
      String id = TestNode.newId("vlt");
      assertEquals(201, session(other, id, List.of(), attempt[1]).status());
      JsonNode outcome = callTool(other, id);
      assertEquals("failed", outcome.path("outcome").asText(), outcome.toString());
      assertTrue(outcome.toString().contains("credential_unavailable"), outcome.toString());
      assertEquals(0, tool.calls("/" + id).size(), "nothing reached the tool");
    }
    assertNothingHolds(TOKEN_1);
  }

  @Test
  void aNodeWithoutAKeyRefusesCredentialsClearlyAndSaysSoOnce() {
    TestNode keyless = TestNode.start("agent-runtime.vault.key = \"\"");
    try {
      Response vault = keyless.api.post(ADA, "/v1/vaults", "{\"name\": \"v\"}");
      assertEquals(200, vault.status(), vault.toString());
      String body =
          "{\"name\": \"crm\", \"auth\": {\"type\": \"static_bearer\", \"mcp_server_url\":"
              + " \"https://crm.example/mcp\", \"token\": \""
              + TOKEN_1
              + "\"}}";
      Response refused =
          keyless.api.post(
              ADA, "/v1/vaults/" + vault.json().path("id").asText() + "/credentials", body);
      assertEquals(503, refused.status(), refused.toString());
      assertEquals("vault_key_missing", refused.errorCode());
      assertEquals("server_error", refused.json().at("/error/type").asText());
      assertEquals("false", refused.header("x-should-retry").orElse(""));
      assertEquals(
          "[]",
          keyless
              .api
              .get(ADA, "/v1/vaults/" + vault.json().path("id").asText() + "/credentials")
              .json()
              .path("data")
              .toString());
      long warnings =
          logs.list.stream()
              .filter(e -> e.getFormattedMessage().startsWith("No vault key is configured"))
              .count();
      assertEquals(1, warnings, "said once, at start");
    } finally {
      keyless.close();
    }
  }

  @Test
  void badInputIsA400NamingTheField() {
    Response vault = api.post(ADA, "/v1/vaults", "{}");
    String credentials = "/v1/vaults/" + vault.json().path("id").asText() + "/credentials";
    record Case(String body, String param) {}
    for (Case c :
        List.of(
            new Case(
                "{\"name\": \"x\", \"auth\": {\"type\": \"environment_variable\"}}", "auth.type"),
            new Case(
                "{\"name\": \"x\", \"auth\": {\"type\": \"mcp_oauth\", \"mcp_server_url\":"
                    + " \"https://a.example\", \"access_token\": \"a\", \"refresh\": {}}}",
                "auth.refresh"),
            new Case(
                "{\"name\": \"x\", \"auth\": {\"type\": \"static_bearer\", \"token\": \"t\"}}",
                "auth.mcp_server_url"),
            new Case(
                "{\"auth\": {\"type\": \"static_bearer\", \"mcp_server_url\": \"https://a.example\","
                    + " \"token\": \"t\"}}",
                "name"),
            new Case(
                "{\"name\": \"x\", \"auth\": {\"type\": \"static_bearer\", \"mcp_server_url\":"
                    + " \"https://a.example\", \"token\": 7}}",
                "auth.token"))) {
      Response r = api.post(ADA, credentials, c.body());
      assertEquals(400, r.status(), c + ": " + r);
      assertEquals(c.param(), r.json().at("/error/param").asText(), r.toString());
      assertEquals("invalid_request_error", r.json().at("/error/type").asText());
    }
    assertEquals("[]", api.get(ADA, credentials).json().path("data").toString(), "nothing kept");
    assertEquals(404, api.get(ADA, "/v1/vaults/vault_nope").status());
  }

  /** Neither the vault entity's journal nor any log line of the node holds {@code secret}. */
  private static void assertNothingHolds(String secret) {
    assertJournalHolds(PersistenceId.of("TenantVaults", "acme").id(), secret);
    for (ILoggingEvent e : new ArrayList<>(logs.list)) {
      String line =
          e.getFormattedMessage()
              + (e.getThrowableProxy() == null
                  ? ""
                  : ThrowableProxyUtil.asString(e.getThrowableProxy()))
              + e.getMDCPropertyMap();
      assertFalse(line.contains(secret), "a log line holds the secret: " + line);
    }
  }

  /** What the journal holds for {@code persistenceId}, serialized as it would be stored. */
  private static void assertJournalHolds(String persistenceId, String... secrets) {
    PersistenceTestKit journal = PersistenceTestKit.create(node.system);
    var serialization = SerializationExtension.get(node.system.classicSystem());
    List<Object> events = journal.persistedInStorage(persistenceId);
    assertFalse(events.isEmpty(), persistenceId);
    for (Object event : events) {
      String stored =
          new String(serialization.serialize(event).get(), StandardCharsets.ISO_8859_1) + event;
      for (String secret : secrets) {
        assertFalse(stored.contains(secret), persistenceId + " journals the secret: " + event);
      }
    }
  }
}
