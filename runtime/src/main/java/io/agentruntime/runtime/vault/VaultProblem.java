package io.agentruntime.runtime.vault;

import io.agentruntime.runtime.CborSerializable;

/**
 * Why a vault request was refused; nothing changed. {@code param} names the request field it is
 * about, or is null. The edge maps the kind to a status code; the code is stable for clients.
 */
public record VaultProblem(Kind kind, String code, String message, String param)
    implements CborSerializable {

  public enum Kind {
    NOT_FOUND,
    INVALID,
    FORBIDDEN,
    /** A bound of the tenant's vaults is reached. */
    LIMIT,
    /** The node cannot do it now (no vault key); nothing was accepted. */
    UNAVAILABLE
  }

  /** The same answer whether the vault does not exist or is another tenant's or user's. */
  public static VaultProblem vaultNotFound(String vaultId) {
    return new VaultProblem(
        Kind.NOT_FOUND, "vault_not_found", "vault " + vaultId + " not found", null);
  }

  public static VaultProblem credentialNotFound(String credentialId) {
    return new VaultProblem(
        Kind.NOT_FOUND, "credential_not_found", "credential " + credentialId + " not found", null);
  }

  public static VaultProblem invalid(String param, String message) {
    return new VaultProblem(Kind.INVALID, "invalid_field", message, param);
  }

  /** The failure of a stage that was refused with this problem. */
  public VaultRefused refused() {
    return new VaultRefused(this);
  }
}
