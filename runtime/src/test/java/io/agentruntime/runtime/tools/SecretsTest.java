package io.agentruntime.runtime.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolving secretRefs from the environment and the secrets file. */
class SecretsTest {

  private static final Map<String, String> ENV =
      Map.of(
          "EMAIL_TOKEN",
          "from-env",
          "PADDED",
          "  padded\n",
          "BLANK",
          "  ",
          "AGENT_RUNTIME_MODEL_API_KEY",
          "sk-model");

  @Test
  void theEnvironmentResolvesAReference() {
    Secrets secrets = new Secrets(Optional.empty(), ENV::get);

    assertEquals(Optional.of("from-env"), secrets.resolve("EMAIL_TOKEN"));
    assertEquals(
        Optional.of("padded"),
        secrets.resolve("PADDED"),
        "surrounding whitespace is not part of a token");
    assertEquals(Optional.empty(), secrets.resolve("BLANK"));
    assertEquals(Optional.empty(), secrets.resolve("UNKNOWN"));
    assertEquals(Optional.empty(), secrets.resolve(null));
  }

  @Test
  void theServersOwnSettingsAreNeverHandedToATool() {
    Secrets secrets = new Secrets(Optional.empty(), ENV::get);

    assertEquals(Optional.empty(), secrets.resolve("AGENT_RUNTIME_MODEL_API_KEY"));
  }

  @Test
  void theSecretsFileWinsOverTheEnvironment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("secrets.json");
    Files.writeString(file, "{\"EMAIL_TOKEN\": \"from-file\", \"OTHER\": \"x\"}");
    Secrets secrets = new Secrets(Optional.of(file), ENV::get);

    assertEquals(Optional.of("from-file"), secrets.resolve("EMAIL_TOKEN"));
    assertEquals(Optional.of("x"), secrets.resolve("OTHER"));
    assertEquals(Optional.of("padded"), secrets.resolve("PADDED"));
  }

  @Test
  void theFileIsReReadWhenItChanges(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("secrets.json");
    Files.writeString(file, "{\"TOKEN\": \"one\"}");
    Secrets secrets = new Secrets(Optional.of(file), name -> null);
    assertEquals(Optional.of("one"), secrets.resolve("TOKEN"));

    Files.writeString(file, "{\"TOKEN\": \"three\", \"NEW\": \"n\"}");
    assertEquals(Optional.of("three"), secrets.resolve("TOKEN"));
    assertEquals(Optional.of("n"), secrets.resolve("NEW"));

    Files.writeString(file, "{\"NEW\": \"n\"}");
    assertEquals(
        Optional.empty(), secrets.resolve("TOKEN"), "a secret removed from the file is gone");
  }

  @Test
  void aDeletedFileHoldsNoSecretsAndAFileThatAppearsLaterIsRead(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("secrets.json");
    Secrets secrets = new Secrets(Optional.of(file), name -> null);
    assertEquals(Optional.empty(), secrets.resolve("TOKEN"));

    Files.writeString(file, "{\"TOKEN\": \"one\"}");
    assertEquals(Optional.of("one"), secrets.resolve("TOKEN"));

    Files.delete(file);
    assertEquals(Optional.empty(), secrets.resolve("TOKEN"));
  }

  @Test
  void aFileThatNoLongerParsesKeepsTheLastGoodSecrets(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("secrets.json");
    Files.writeString(file, "{\"TOKEN\": \"one\"}");
    Secrets secrets = new Secrets(Optional.of(file), name -> null);
    assertEquals(Optional.of("one"), secrets.resolve("TOKEN"));

    Files.writeString(file, "{\"TOKEN\": \"tw");
    assertEquals(Optional.of("one"), secrets.resolve("TOKEN"));

    Files.writeString(file, "{\"TOKEN\": \"two\"}");
    assertEquals(Optional.of("two"), secrets.resolve("TOKEN"));
  }

  @Test
  void valuesThatAreNotStringsAreIgnored(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("secrets.json");
    Files.writeString(file, "{\"NUMBER\": 42, \"OBJECT\": {}, \"TOKEN\": \"t\"}");
    Secrets secrets = new Secrets(Optional.of(file), name -> null);

    assertEquals(Optional.empty(), secrets.resolve("NUMBER"));
    assertEquals(Optional.empty(), secrets.resolve("OBJECT"));
    assertEquals(Optional.of("t"), secrets.resolve("TOKEN"));
  }

  @Test
  void headerValuesHaveNoControlCharacters() {
    assertTrue(Secrets.fitsInHeader("abc.DEF-123_~+/="));
    assertFalse(Secrets.fitsInHeader("a\r\nInjected: yes"));
    assertFalse(Secrets.fitsInHeader("tab\there"));
  }
}
