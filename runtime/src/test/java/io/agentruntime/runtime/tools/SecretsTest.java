package io.agentruntime.runtime.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Resolving secretRefs among the secrets granted to a tenant (decision 0019). */
class SecretsTest {

  private static final Map<String, String> ENV =
      Map.of(
          "HOME", "/root",
          "PATH", "/usr/bin",
          "ACME_MAIL", "acme-mail-from-env",
          "PADDED", "  padded\n",
          "BLANK", "  ",
          "AGENT_RUNTIME_MODEL_API_KEY", "sk-model");

  private static final String FILE =
      """
      {"tenants": {
        "acme":   {"CRM_TOKEN": {"value": "acme-crm"}, "MAIL": {"env": "ACME_MAIL"},
                   "PADDED": {"env": "PADDED"}, "BLANK": {"env": "BLANK"},
                   "UNSET": {"env": "NOT_SET_ANYWHERE"}, "EMPTY": {"value": " "}},
        "globex": {"CRM_TOKEN": {"value": "globex-crm"}},
        "dev":    {"EMAIL_TOKEN": {"value": "dev-mail"}}
      }}
      """;

  @TempDir Path dir;

  private Secrets secrets(String content) throws Exception {
    Path file = dir.resolve("secrets.json");
    Files.writeString(file, content);
    return new Secrets(Optional.of(file), ENV::get);
  }

  /** Tenant, name, what it resolves to ("-": nothing). */
  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "acme,   CRM_TOKEN,                   acme-crm",
    "globex, CRM_TOKEN,                   globex-crm",
    "acme,   MAIL,                        acme-mail-from-env",
    "acme,   PADDED,                      padded",
    "dev,    EMAIL_TOKEN,                 dev-mail",
    // another tenant's grant
    "globex, MAIL,                        -",
    "dev,    CRM_TOKEN,                   -",
    "initech, CRM_TOKEN,                  -",
    // the environment by name, granted to nobody
    "acme,   HOME,                        -",
    "globex, PATH,                        -",
    "globex, ACME_MAIL,                   -",
    "acme,   ACME_MAIL,                   -",
    "acme,   AGENT_RUNTIME_MODEL_API_KEY, -",
    // granted, but nothing usable
    "acme,   BLANK,                       -",
    "acme,   UNSET,                       -",
    "acme,   EMPTY,                       -",
    "acme,   UNKNOWN,                     -",
  })
  void aNameResolvesOnlyAmongItsTenantsGrants(String tenant, String name, String expected)
      throws Exception {
    Secrets secrets = secrets(FILE);

    assertEquals(
        expected.equals("-") ? Optional.empty() : Optional.of(expected),
        secrets.resolve(tenant, name));
  }

  @Test
  void withoutAFileNothingResolvesNotEvenTheEnvironment() {
    Secrets secrets = new Secrets(Optional.empty(), ENV::get);

    assertEquals(Optional.empty(), secrets.resolve("dev", "HOME"));
    assertEquals(Optional.empty(), secrets.resolve("dev", "ACME_MAIL"));
    assertEquals(Optional.empty(), secrets.resolve(null, "HOME"));
    assertEquals(Optional.empty(), secrets.resolve("dev", null));
  }

  @Test
  void unknownAndNotGrantedGetTheSameRefusal() throws Exception {
    ToolGate gate = new ToolGate(ToolHosts.loopbackOnly(), secrets(FILE));
    ToolConnection.Http acmesMail = ToolFixtures.http("http://127.0.0.1:9/t", "MAIL");
    ToolConnection.Http nobodys = ToolFixtures.http("http://127.0.0.1:9/t", "NOPE");

    ToolResult.Failed notGranted = gate.refusal("globex", acmesMail).orElseThrow();
    ToolResult.Failed unknown = gate.refusal("globex", nobodys).orElseThrow();

    assertEquals(ToolFailures.SECRET_MISSING, notGranted.code());
    assertEquals(notGranted.code(), unknown.code());
    assertEquals(notGranted.message().replace("MAIL", "X"), unknown.message().replace("NOPE", "X"));
    assertEquals(Optional.empty(), gate.refusal("acme", acmesMail), "granted to acme");
  }

  @Test
  void theOldFlatFormatStopsTheStartNamingTheNewOne() throws Exception {
    Path file = dir.resolve("secrets.json");
    Files.writeString(file, "{\"ACME_CRM_TOKEN\": \"acme-secret-123\"}");

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Secrets.fromEnvironment(Optional.of(file)));

    assertTrue(e.getMessage().contains("\"tenants\""), e.getMessage());
    assertTrue(e.getMessage().contains("flat"), e.getMessage());
    assertFalse(e.getMessage().contains("acme-secret-123"), "never the value: " + e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "[1, 2]",
        "{\"tenants\": []}",
        "{\"tenants\": {\"acme\": \"x\"}}",
        "{\"tenants\": {\"acme\": {\"T\": \"bare-value\"}}}",
        "{\"tenants\": {\"acme\": {\"T\": {\"value\": 42}}}}",
        "{\"tenants\": {\"acme\": {\"T\": {\"value\": \"v\", \"env\": \"E\"}}}}",
        "{\"tenants\": {\"acme\": {\"T\": {\"env\": \"AGENT_RUNTIME_MODEL_API_KEY\"}}}}",
        "{\"tenants\": {}, \"EXTRA\": \"x\"}",
        "{\"tenants\": {\"acme\": {\"T\": {\"value\": \"unterminated",
      })
  void aFileNotInTheFormatStopsTheStart(String content) throws Exception {
    Path file = dir.resolve("secrets.json");
    Files.writeString(file, content);

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Secrets.fromEnvironment(Optional.of(file)));
    assertFalse(e.getMessage().contains("bare-value"), e.getMessage());
    assertFalse(e.getMessage().contains("unterminated"), e.getMessage());
  }

  @Test
  void aFileThatDoesNotExistYetIsNoReasonNotToStart() {
    Secrets secrets = Secrets.fromEnvironment(Optional.of(dir.resolve("later.json")));

    assertEquals(Optional.empty(), secrets.resolve("acme", "CRM_TOKEN"));
  }

  @Test
  void theFileIsReReadWhenItChanges() throws Exception {
    Path file = dir.resolve("secrets.json");
    Files.writeString(file, grant("acme", "TOKEN", "one"));
    Secrets secrets = new Secrets(Optional.of(file), name -> null);
    assertEquals(Optional.of("one"), secrets.resolve("acme", "TOKEN"));

    Files.writeString(file, grant("acme", "TOKEN", "three"));
    assertEquals(Optional.of("three"), secrets.resolve("acme", "TOKEN"));

    Files.writeString(file, grant("globex", "TOKEN", "three"));
    assertEquals(
        Optional.empty(),
        secrets.resolve("acme", "TOKEN"),
        "a grant moved to another tenant is gone for the first");
    assertEquals(Optional.of("three"), secrets.resolve("globex", "TOKEN"));
  }

  @Test
  void aDeletedFileHoldsNoSecretsAndAFileThatAppearsLaterIsRead() throws Exception {
    Path file = dir.resolve("secrets.json");
    Secrets secrets = new Secrets(Optional.of(file), name -> null);
    assertEquals(Optional.empty(), secrets.resolve("acme", "TOKEN"));

    Files.writeString(file, grant("acme", "TOKEN", "one"));
    assertEquals(Optional.of("one"), secrets.resolve("acme", "TOKEN"));

    Files.delete(file);
    assertEquals(Optional.empty(), secrets.resolve("acme", "TOKEN"));
  }

  @Test
  void aFileThatNoLongerParsesOrTurnsFlatKeepsTheLastGoodSecrets() throws Exception {
    Path file = dir.resolve("secrets.json");
    Files.writeString(file, grant("acme", "TOKEN", "one"));
    Secrets secrets = new Secrets(Optional.of(file), name -> null);
    assertEquals(Optional.of("one"), secrets.resolve("acme", "TOKEN"));

    Files.writeString(file, "{\"tenants\": {\"acme\": {\"TOKEN\": {\"value\": \"tw");
    assertEquals(Optional.of("one"), secrets.resolve("acme", "TOKEN"));
    Files.writeString(file, "{\"TOKEN\": \"flat-again\"}");
    assertEquals(Optional.of("one"), secrets.resolve("acme", "TOKEN"));
    assertEquals(Optional.empty(), secrets.resolve("globex", "TOKEN"));

    Files.writeString(file, grant("acme", "TOKEN", "two"));
    assertEquals(Optional.of("two"), secrets.resolve("acme", "TOKEN"));
  }

  @Test
  void headerValuesHaveNoControlCharacters() {
    assertTrue(Secrets.fitsInHeader("abc.DEF-123_~+/="));
    assertFalse(Secrets.fitsInHeader("a\r\nInjected: yes"));
    assertFalse(Secrets.fitsInHeader("tab\there"));
  }

  private static String grant(String tenant, String name, String value) {
    return "{\"tenants\": {\""
        + tenant
        + "\": {\""
        + name
        + "\": {\"value\": \""
        + value
        + "\"}}}}";
  }
}
