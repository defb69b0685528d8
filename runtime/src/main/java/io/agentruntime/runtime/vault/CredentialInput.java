package io.agentruntime.runtime.vault;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The checks on what a client sends for a vault or credential, pure (table tests in {@code
 * CredentialInputTest}): names, metadata, and an {@code auth} of a type this runtime keeps.
 * Messages name the field ({@code param}), never a secret.
 */
public final class CredentialInput {

  public static final int MAX_NAME_BYTES = 256;
  public static final int MAX_METADATA_ENTRIES = 16;
  public static final int MAX_METADATA_KEY_CHARS = 64;
  public static final int MAX_METADATA_VALUE_CHARS = 512;

  /**
   * An {@code auth} as sent: its {@code type}, the server URL (on create), the secret (the token or
   * access token; null when a rotation leaves it), and the expiry of an OAuth access token. {@code
   * refresh} says a refresh block was sent (not supported). Its {@code toString} leaves the secret
   * out.
   */
  public record Auth(
      String type, String mcpServerUrl, String secret, String expiresAt, boolean refresh) {
    @Override
    public String toString() {
      return "Auth[type=" + type + ", mcpServerUrl=" + mcpServerUrl + "]";
    }
  }

  private CredentialInput() {}

  /** A vault's or credential's name: 1 to 256 UTF-8 bytes once trimmed. */
  public static Optional<VaultProblem> name(String name, String param) {
    if (name == null || name.strip().isEmpty()) {
      return Optional.of(VaultProblem.invalid(param, param + " must not be empty"));
    }
    if (name.strip().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      return Optional.of(
          VaultProblem.invalid(param, param + " is longer than " + MAX_NAME_BYTES + " bytes"));
    }
    return Optional.empty();
  }

  /** At most 16 pairs, keys up to 64 characters, values up to 512. */
  public static Optional<VaultProblem> metadata(Map<String, String> metadata) {
    if (metadata == null) {
      return Optional.empty();
    }
    if (metadata.size() > MAX_METADATA_ENTRIES) {
      return Optional.of(
          VaultProblem.invalid(
              "metadata", "metadata holds more than " + MAX_METADATA_ENTRIES + " pairs"));
    }
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      if (e.getKey().isEmpty() || e.getKey().length() > MAX_METADATA_KEY_CHARS) {
        return Optional.of(
            VaultProblem.invalid(
                "metadata",
                "a metadata key must hold 1 to " + MAX_METADATA_KEY_CHARS + " characters"));
      }
      if (e.getValue() == null || e.getValue().length() > MAX_METADATA_VALUE_CHARS) {
        return Optional.of(
            VaultProblem.invalid(
                "metadata." + e.getKey(),
                "metadata."
                    + e.getKey()
                    + " must be a string of at most "
                    + MAX_METADATA_VALUE_CHARS
                    + " characters"));
      }
    }
    return Optional.empty();
  }

  /** An {@code auth} to create a credential with. */
  public static Optional<VaultProblem> forCreate(Auth auth, int maxSecretBytes) {
    Optional<VaultProblem> type = type(auth);
    if (type.isPresent()) {
      return type;
    }
    Optional<VaultProblem> url = serverUrl(auth.mcpServerUrl());
    if (url.isPresent()) {
      return url;
    }
    if (auth.secret() == null) {
      return Optional.of(
          VaultProblem.invalid(secretParam(auth), secretParam(auth) + " is required"));
    }
    return secret(auth, maxSecretBytes);
  }

  /** An {@code auth} to rotate a credential with: the secret only (the URL stays). */
  public static Optional<VaultProblem> forRotate(Auth auth, int maxSecretBytes) {
    Optional<VaultProblem> type = type(auth);
    if (type.isPresent()) {
      return type;
    }
    if (auth.secret() == null) {
      return Optional.of(
          VaultProblem.invalid(secretParam(auth), "a rotation sends the new " + secretParam(auth)));
    }
    return secret(auth, maxSecretBytes);
  }

  private static Optional<VaultProblem> type(Auth auth) {
    if (auth.type() == null) {
      return Optional.of(VaultProblem.invalid("auth.type", "auth.type is required"));
    }
    switch (auth.type()) {
      case Credential.Auth.STATIC_BEARER:
        return Optional.empty();
      case Credential.Auth.MCP_OAUTH:
        if (auth.refresh()) {
          return Optional.of(
              VaultProblem.invalid(
                  "auth.refresh",
                  "mcp_oauth refresh is not supported yet: send an access_token without refresh,"
                      + " and rotate it before it expires"));
        }
        return Optional.empty();
      case "environment_variable":
        return Optional.of(
            VaultProblem.invalid(
                "auth.type",
                "environment_variable credentials are not supported: this runtime has no"
                    + " environments"));
      default:
        return Optional.of(
            VaultProblem.invalid(
                "auth.type", "auth.type must be static_bearer or mcp_oauth, not " + auth.type()));
    }
  }

  private static Optional<VaultProblem> serverUrl(String url) {
    if (url == null) {
      return Optional.of(
          VaultProblem.invalid("auth.mcp_server_url", "auth.mcp_server_url is required"));
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return Optional.empty();
      }
    } catch (URISyntaxException e) {
      // falls through
    }
    return Optional.of(
        VaultProblem.invalid(
            "auth.mcp_server_url", "auth.mcp_server_url must be an absolute http(s) URL"));
  }

  private static Optional<VaultProblem> secret(Auth auth, int maxSecretBytes) {
    String param = secretParam(auth);
    String secret = auth.secret().strip();
    if (secret.isEmpty()) {
      return Optional.of(VaultProblem.invalid(param, param + " must not be empty"));
    }
    if (secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxSecretBytes) {
      return Optional.of(
          VaultProblem.invalid(param, param + " is longer than " + maxSecretBytes + " bytes"));
    }
    if (secret.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return Optional.of(
          VaultProblem.invalid(param, param + " holds characters an HTTP header cannot carry"));
    }
    return Optional.empty();
  }

  private static String secretParam(Auth auth) {
    return Credential.Auth.MCP_OAUTH.equals(auth.type()) ? "auth.access_token" : "auth.token";
  }
}
