package io.agentruntime.runtime.vault;

import io.agentruntime.runtime.CborSerializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One credential of a vault: its name and metadata, when it was created and last changed (Unix
 * seconds), and its {@link Auth}, whose secret is only ever held sealed. {@code requestKey} as in
 * {@link Vault}.
 */
public record Credential(
    String id,
    String name,
    Map<String, String> metadata,
    long createdAt,
    long updatedAt,
    Auth auth,
    String requestKey)
    implements CborSerializable {

  public Credential {
    metadata =
        metadata == null || metadata.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /** The same credential with its secret left out: what may leave the vault's entity. */
  public Credential withoutSecret() {
    return auth.secret() == null ? this : withAuth(auth.withSecret(null));
  }

  Credential withAuth(Auth next) {
    return new Credential(id, name, metadata, createdAt, updatedAt, next, requestKey);
  }

  /**
   * How the credential authenticates. {@code type} is {@code static_bearer} or {@code mcp_oauth};
   * both send their secret (the token, the access token) as {@code Authorization: Bearer}. {@code
   * expiresAt} is the access token's RFC 3339 expiry as given (mcp_oauth only; null when none).
   */
  public record Auth(String type, String mcpServerUrl, String expiresAt, Sealed secret)
      implements CborSerializable {

    public static final String STATIC_BEARER = "static_bearer";
    public static final String MCP_OAUTH = "mcp_oauth";

    Auth withSecret(Sealed sealed) {
      return new Auth(type, mcpServerUrl, expiresAt, sealed);
    }
  }
}
