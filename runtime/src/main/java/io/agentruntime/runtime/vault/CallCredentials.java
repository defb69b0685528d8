package io.agentruntime.runtime.vault;

import io.agentruntime.runtime.tools.Bearer;
import io.agentruntime.runtime.tools.CredentialScope;
import io.agentruntime.runtime.tools.ToolConnection;
import io.agentruntime.runtime.tools.ToolInvocation;
import io.agentruntime.runtime.tools.ToolResult;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Resolves the vault credential of one tool call, when the call is made and only then (decision
 * 0029): a connection's {@code secretRef: "vault:<vault_id>/<credential_id>"} (or {@code
 * "vault:<credential_id>"}, looked for among the session's vaults), or, for an MCP connection that
 * names none, the one credential of the session's vaults whose {@code mcp_server_url} is the
 * connection's URL. Only the session's own vaults count, and only those its owner may see; a
 * credential that is unknown, deleted, another tenant's or user's, or of a vault the session was
 * not created with fails the call with the same message, before anything is sent.
 */
final class CallCredentials {

  /** The code of a call refused because its vault credential is not there for it. */
  static final String UNAVAILABLE = "credential_unavailable";

  /** The code of an MCP call that more than one credential of the session's vaults would fit. */
  static final String AMBIGUOUS = "credential_ambiguous";

  /** What a call sends: nothing from a vault, a bearer, or nothing at all (refused). */
  sealed interface Resolution {
    record None() implements Resolution {}

    record Found(Bearer bearer) implements Resolution {}

    record Refused(ToolResult.Failed failure) implements Resolution {}
  }

  private static final Resolution NONE = new Resolution.None();

  private final Vaults vaults;

  CallCredentials(Vaults vaults) {
    this.vaults = vaults;
  }

  /** Whether resolving {@code connection} for a session with {@code scope} asks the vaults. */
  static boolean needed(ToolConnection connection, CredentialScope scope) {
    return ToolInvocation.namesVaultCredential(connection)
        || (connection instanceof ToolConnection.Mcp
            && connection.secretRef() == null
            && !scope.isEmpty());
  }

  CompletionStage<Resolution> resolve(
      String tenant, CredentialScope scope, ToolConnection connection) {
    if (!needed(connection, scope)) {
      return CompletableFuture.completedFuture(NONE);
    }
    if (!ToolInvocation.namesVaultCredential(connection)) {
      return vaults
          .readForCall(tenant, scope.user(), scope.vaultIds())
          .thenApply(found -> matching(tenant, found, connection.url()));
    }
    String ref = connection.secretRef();
    String[] ids = ref.substring(ToolInvocation.VAULT_PREFIX.length()).split("/", -1);
    if (ids.length > 2 || Arrays.stream(ids).anyMatch(String::isEmpty)) {
      return CompletableFuture.completedFuture(
          refused(
              UNAVAILABLE,
              "secretRef '"
                  + ref
                  + "' does not name a vault credential as vault:<vault_id>/<credential_id> or"
                  + " vault:<credential_id>"));
    }
    // vault:<credential_id> looks among all the session's vaults (credential ids are unique).
    List<String> vaultIds = ids.length == 2 ? List.of(ids[0]) : scope.vaultIds();
    String credentialId = ids[ids.length - 1];
    if (vaultIds.isEmpty() || !scope.vaultIds().containsAll(vaultIds)) {
      return CompletableFuture.completedFuture(unavailable(ref));
    }
    return vaults
        .readForCall(tenant, scope.user(), vaultIds)
        .thenApply(
            found ->
                found.stream()
                    .filter(v -> v.credentials().containsKey(credentialId))
                    .map(v -> Map.entry(v.id(), v.credentials().get(credentialId)))
                    .filter(e -> e.getValue().auth().secret() != null)
                    .findFirst()
                    .map(e -> open(tenant, e.getKey(), e.getValue(), ref))
                    .orElseGet(() -> unavailable(ref)));
  }

  private Resolution matching(String tenant, List<Vault> found, String url) {
    String wanted = normalized(url);
    List<Resolution> fits =
        found.stream()
            .flatMap(
                v ->
                    v.credentials().values().stream()
                        .filter(c -> c.auth().secret() != null)
                        .filter(c -> normalized(c.auth().mcpServerUrl()).equals(wanted))
                        .map(c -> open(tenant, v.id(), c, "vault:" + v.id() + "/" + c.id())))
            .limit(2)
            .toList();
    if (fits.isEmpty()) {
      return NONE;
    }
    if (fits.size() > 1) {
      return refused(
          AMBIGUOUS,
          "more than one credential of this session's vaults is for "
              + url
              + ": the MCP tool must name one (credential_id)");
    }
    return fits.get(0);
  }

  private Resolution open(String tenant, String vaultId, Credential c, String ref) {
    try {
      return new Resolution.Found(
          new Bearer(
              vaults
                  .cipher()
                  .open(new VaultCipher.Where(tenant, vaultId, c.id()), c.auth().secret())));
    } catch (VaultCipher.VaultCipherException e) {
      return refused(
          UNAVAILABLE,
          "vault credential " + ref + " cannot be opened on this node: " + e.getMessage());
    }
  }

  private static String normalized(String url) {
    if (url == null) {
      return "";
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static Resolution unavailable(String ref) {
    return refused(
        UNAVAILABLE,
        "vault credential "
            + ref
            + " is not available to this session: it must be a credential of one of the vaults"
            + " the session was created with (vault_ids)");
  }

  private static Resolution refused(String code, String message) {
    return new Resolution.Refused(new ToolResult.Failed(code, message));
  }
}
