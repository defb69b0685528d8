package io.agentruntime.runtime.tools;

import java.util.List;

/**
 * Whose vault credentials a call may use: the calling session's owner ({@code user}, within the
 * invocation's tenant) and the vaults the session was created with. {@link #NONE} for a session
 * with no vaults: then no vault credential resolves.
 */
public record CredentialScope(String user, List<String> vaultIds) {

  public static final CredentialScope NONE = new CredentialScope(null, List.of());

  public CredentialScope {
    vaultIds = vaultIds == null ? List.of() : List.copyOf(vaultIds);
  }

  public boolean isEmpty() {
    return vaultIds.isEmpty();
  }
}
