package io.agentruntime.runtime.vault;

import io.agentruntime.runtime.CborSerializable;
import java.time.Instant;
import java.util.Map;

/**
 * What happened to a tenant's vaults, as journaled by its {@link VaultEntity}. The class names are
 * manifests (a stored contract); a secret appears only sealed, inside a {@link Credential}. {@code
 * by} is the user who asked.
 */
public sealed interface VaultEvent extends CborSerializable {

  Instant at();

  record VaultCreated(
      String vaultId,
      String owner,
      String name,
      Map<String, String> metadata,
      String requestKey,
      String by,
      Instant at)
      implements VaultEvent {}

  /** The vault's name and metadata as they are now (not the change). */
  record VaultUpdated(
      String vaultId, String name, Map<String, String> metadata, String by, Instant at)
      implements VaultEvent {}

  /** The vault and every credential in it are gone. */
  record VaultDeleted(String vaultId, String by, Instant at) implements VaultEvent {}

  record CredentialCreated(String vaultId, Credential credential, String by, Instant at)
      implements VaultEvent {}

  /** The credential as it is now: new metadata, or a secret rotated or re-sealed. */
  record CredentialUpdated(String vaultId, Credential credential, String by, Instant at)
      implements VaultEvent {}

  record CredentialDeleted(String vaultId, String credentialId, String by, Instant at)
      implements VaultEvent {}
}
