package io.agentruntime.runtime.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * One call of a tool. {@code tenant} is the calling session's tenant: the only one whose secrets
 * the call may use. {@code sessionKey} identifies the calling session (sent as {@code
 * X-Agent-Session}); {@code toolName} is the tool on the server (for MCP, without the connection
 * prefix); {@code idempotencyKey} is the same on every retry of this call. {@code credentials} are
 * the session's vaults (decision 0029); {@code bearer} is the vault credential resolved for this
 * call, or null when none was (then a {@code secretRef} resolves among the tenant's granted
 * secrets, decision 0019).
 */
public record ToolInvocation(
    String tenant,
    String sessionKey,
    ToolConnection connection,
    String toolName,
    JsonNode arguments,
    String idempotencyKey,
    Duration timeout,
    CredentialScope credentials,
    Bearer bearer) {

  public ToolInvocation {
    credentials = credentials == null ? CredentialScope.NONE : credentials;
  }

  /** A call with no vaults. */
  public ToolInvocation(
      String tenant,
      String sessionKey,
      ToolConnection connection,
      String toolName,
      JsonNode arguments,
      String idempotencyKey,
      Duration timeout) {
    this(
        tenant,
        sessionKey,
        connection,
        toolName,
        arguments,
        idempotencyKey,
        timeout,
        CredentialScope.NONE,
        null);
  }

  /** The same call, sending {@code resolved} as its credential. */
  public ToolInvocation withBearer(Bearer resolved) {
    return new ToolInvocation(
        tenant,
        sessionKey,
        connection,
        toolName,
        arguments,
        idempotencyKey,
        timeout,
        credentials,
        resolved);
  }

  /** Whether the connection names a vault credential ({@code vault:<vault>/<credential>}). */
  public static boolean namesVaultCredential(ToolConnection connection) {
    return connection.secretRef() != null && connection.secretRef().startsWith(VAULT_PREFIX);
  }

  /** How a {@code secretRef} names a vault credential. */
  public static final String VAULT_PREFIX = "vault:";
}
