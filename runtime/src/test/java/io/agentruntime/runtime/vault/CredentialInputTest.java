package io.agentruntime.runtime.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What a client may send for a credential: each refusal names its field and never the secret. */
class CredentialInputTest {

  static final int MAX = 64;
  static final String URL = "https://mcp.example.com/mcp";

  static Stream<Arguments> creates() {
    return Stream.of(
        Arguments.of(new CredentialInput.Auth("static_bearer", URL, "tok", null, false), null),
        Arguments.of(
            new CredentialInput.Auth("mcp_oauth", URL, "acc", "2027-01-01T00:00:00Z", false), null),
        Arguments.of(new CredentialInput.Auth(null, URL, "tok", null, false), "auth.type"),
        Arguments.of(new CredentialInput.Auth("basic", URL, "tok", null, false), "auth.type"),
        Arguments.of(
            new CredentialInput.Auth("environment_variable", null, "sek-env", null, false),
            "auth.type"),
        Arguments.of(
            new CredentialInput.Auth("mcp_oauth", URL, "sek-acc", null, true), "auth.refresh"),
        Arguments.of(
            new CredentialInput.Auth("static_bearer", null, "tok", null, false),
            "auth.mcp_server_url"),
        Arguments.of(
            new CredentialInput.Auth("static_bearer", "ftp://x/y", "tok", null, false),
            "auth.mcp_server_url"),
        Arguments.of(
            new CredentialInput.Auth("static_bearer", "/relative", "tok", null, false),
            "auth.mcp_server_url"),
        Arguments.of(
            new CredentialInput.Auth("static_bearer", URL, null, null, false), "auth.token"),
        Arguments.of(
            new CredentialInput.Auth("static_bearer", URL, "  ", null, false), "auth.token"),
        Arguments.of(
            new CredentialInput.Auth("static_bearer", URL, "a\r\nX-Evil: 1", null, false),
            "auth.token"),
        Arguments.of(
            new CredentialInput.Auth("static_bearer", URL, "x".repeat(MAX + 1), null, false),
            "auth.token"),
        Arguments.of(
            new CredentialInput.Auth("mcp_oauth", URL, null, null, false), "auth.access_token"));
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @MethodSource("creates")
  void create(CredentialInput.Auth auth, String refusedField) {
    Optional<VaultProblem> problem = CredentialInput.forCreate(auth, MAX);
    assertEquals(Optional.ofNullable(refusedField), problem.map(VaultProblem::param));
    problem.ifPresent(
        p -> {
          assertEquals(VaultProblem.Kind.INVALID, p.kind());
          if (auth.secret() != null && !auth.secret().isBlank()) {
            assertFalse(p.message().contains(auth.secret()), p.message());
          }
        });
  }

  static Stream<Arguments> rotations() {
    return Stream.of(
        Arguments.of(new CredentialInput.Auth("static_bearer", null, "new", null, false), null),
        Arguments.of(new CredentialInput.Auth("mcp_oauth", null, "new", null, false), null),
        Arguments.of(
            new CredentialInput.Auth("static_bearer", null, null, null, false), "auth.token"),
        Arguments.of(
            new CredentialInput.Auth("mcp_oauth", null, "new", null, true), "auth.refresh"),
        Arguments.of(
            new CredentialInput.Auth("environment_variable", null, "v", null, false), "auth.type"));
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @MethodSource("rotations")
  void rotate(CredentialInput.Auth auth, String refusedField) {
    assertEquals(
        Optional.ofNullable(refusedField),
        CredentialInput.forRotate(auth, MAX).map(VaultProblem::param));
  }

  @Test
  void namesAndMetadataAreBounded() {
    assertTrue(CredentialInput.name("crm", "name").isEmpty());
    assertEquals("name", CredentialInput.name(" ", "name").orElseThrow().param());
    assertTrue(CredentialInput.name("é".repeat(128), "name").isEmpty(), "256 bytes");
    assertEquals("name", CredentialInput.name("é".repeat(129), "name").orElseThrow().param());
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i < 17; i++) {
      many.put("k" + i, "v");
    }
    assertEquals("metadata", CredentialInput.metadata(many).orElseThrow().param());
    assertEquals(
        "metadata.k", CredentialInput.metadata(Map.of("k", "v".repeat(513))).orElseThrow().param());
    assertTrue(CredentialInput.metadata(Map.of("team", "crm")).isEmpty());
  }

  @Test
  void anAuthPrintsWithoutItsSecret() {
    assertFalse(
        new CredentialInput.Auth("static_bearer", URL, "tok-secret", null, false)
            .toString()
            .contains("tok-secret"));
  }
}
