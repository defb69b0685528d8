package io.agentruntime.runtime.vault;

import io.agentruntime.runtime.CborSerializable;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a tenant's {@link VaultEntity} is asked. Every command replies a {@link VaultReply}: the
 * vaults it concerns, with secrets left out except for {@link ReadForCall} and {@link ReadSealed}.
 * For partial updates, {@code setX} says whether {@code x} is given.
 */
public sealed interface VaultCommand extends CborSerializable {

  VaultCaller caller();

  ActorRef<VaultReply> replyTo();

  record CreateVault(
      VaultCaller caller,
      String vaultId,
      boolean tenantWide,
      String name,
      Map<String, String> metadata,
      String requestKey,
      ActorRef<VaultReply> replyTo)
      implements VaultCommand {}

  record UpdateVault(
      VaultCaller caller,
      String vaultId,
      boolean setName,
      String name,
      boolean setMetadata,
      Map<String, String> metadata,
      ActorRef<VaultReply> replyTo)
      implements VaultCommand {}

  record DeleteVault(VaultCaller caller, String vaultId, ActorRef<VaultReply> replyTo)
      implements VaultCommand {}

  /** Replies the vault (with its credentials, secrets left out). */
  record GetVault(VaultCaller caller, String vaultId, ActorRef<VaultReply> replyTo)
      implements VaultCommand {}

  /** Replies the vaults the caller sees, without credentials. */
  record ListVaults(VaultCaller caller, ActorRef<VaultReply> replyTo) implements VaultCommand {}

  /** {@code credential} carries its secret sealed for this tenant, vault and credential id. */
  record CreateCredential(
      VaultCaller caller, String vaultId, Credential credential, ActorRef<VaultReply> replyTo)
      implements VaultCommand {}

  /**
   * {@code auth}, when not null, replaces the credential's (rotation: same type, a new sealed
   * secret; the server URL stays).
   */
  record UpdateCredential(
      VaultCaller caller,
      String vaultId,
      String credentialId,
      boolean setMetadata,
      Map<String, String> metadata,
      Credential.Auth auth,
      ActorRef<VaultReply> replyTo)
      implements VaultCommand {}

  record DeleteCredential(
      VaultCaller caller, String vaultId, String credentialId, ActorRef<VaultReply> replyTo)
      implements VaultCommand {}

  /**
   * Replies, with their sealed secrets, those of {@code vaultIds} that a session of {@code
   * caller.user()} may use: what a tool call resolves its credential from.
   */
  record ReadForCall(VaultCaller caller, List<String> vaultIds, ActorRef<VaultReply> replyTo)
      implements VaultCommand {}

  /** Replies every vault the caller (an operator) may re-seal, with sealed secrets. */
  record ReadSealed(VaultCaller caller, ActorRef<VaultReply> replyTo) implements VaultCommand {}

  /**
   * Replaces a credential's sealed secret by the same secret sealed under the current key, if it
   * still holds {@code was} (so a rotation in between is never undone).
   */
  record Reseal(
      VaultCaller caller,
      String vaultId,
      String credentialId,
      Sealed was,
      Sealed now,
      ActorRef<VaultReply> replyTo)
      implements VaultCommand {}
}
