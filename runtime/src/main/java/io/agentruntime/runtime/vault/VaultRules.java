package io.agentruntime.runtime.vault;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a tenant's vaults do with a command: pure, so every rule has a table test. A refusal changes
 * nothing; otherwise at most one event, and the reply is read from the state after it.
 *
 * <p>Scope (decision 0029): a tenant-wide vault (no owner) is seen by every principal of the tenant
 * and changed by operators only (403); a user's own vault is seen and changed by that user only:
 * for anyone else it does not exist (404), as another tenant's does not.
 */
public final class VaultRules {

  /** Bounds of one tenant's vaults, so its entity's state stays small. */
  public record Limits(int maxVaults, int maxCredentialsPerVault) {}

  /** A refusal, or the event to persist (null when nothing changes). */
  public record Decision(VaultProblem refused, VaultEvent event) {
    static Decision refuse(VaultProblem problem) {
      return new Decision(problem, null);
    }

    static Decision persist(VaultEvent event) {
      return new Decision(null, event);
    }

    static final Decision NOTHING = new Decision(null, null);
  }

  private VaultRules() {}

  public static Decision decide(TenantVaults s, VaultCommand command, Limits limits, Instant now) {
    VaultCaller caller = command.caller();
    String by = caller.user();
    if (command instanceof VaultCommand.CreateVault c) {
      if (c.tenantWide() && !caller.operator()) {
        return Decision.refuse(
            new VaultProblem(
                VaultProblem.Kind.FORBIDDEN,
                "role_missing",
                "a tenant-wide vault is created by an operator",
                "scope"));
      }
      if (s.vaults().size() >= limits.maxVaults()) {
        return Decision.refuse(
            new VaultProblem(
                VaultProblem.Kind.LIMIT,
                "too_many_vaults",
                "the tenant holds " + s.vaults().size() + " vaults, the most it may",
                null));
      }
      if (s.vault(c.vaultId()).isPresent() || s.createdBy(c.requestKey()).isPresent()) {
        return Decision.NOTHING;
      }
      return Decision.persist(
          new VaultEvent.VaultCreated(
              c.vaultId(),
              c.tenantWide() ? null : by,
              c.name(),
              c.metadata(),
              c.requestKey(),
              by,
              now));
    }
    if (command instanceof VaultCommand.ListVaults || command instanceof VaultCommand.ReadForCall) {
      return Decision.NOTHING;
    }
    if (command instanceof VaultCommand.ReadSealed) {
      return caller.operator()
          ? Decision.NOTHING
          : Decision.refuse(
              new VaultProblem(
                  VaultProblem.Kind.FORBIDDEN,
                  "role_missing",
                  "re-sealing a tenant's credentials needs the operator role",
                  null));
    }
    String vaultId = vaultIdOf(command);
    Optional<Vault> found = s.vault(vaultId).filter(v -> v.visibleTo(caller.user()));
    if (command instanceof VaultCommand.Reseal r) {
      return reseal(s, r, now);
    }
    if (found.isEmpty()) {
      return Decision.refuse(VaultProblem.vaultNotFound(vaultId));
    }
    Vault v = found.get();
    if (command instanceof VaultCommand.GetVault) {
      return Decision.NOTHING;
    }
    if (v.tenantWide() && !caller.operator()) {
      return Decision.refuse(
          new VaultProblem(
              VaultProblem.Kind.FORBIDDEN,
              "role_missing",
              "a tenant-wide vault is changed by an operator",
              null));
    }
    if (command instanceof VaultCommand.UpdateVault c) {
      String name = c.setName() ? c.name() : v.name();
      Map<String, String> metadata = c.setMetadata() ? c.metadata() : v.metadata();
      Map<String, String> normalized = metadata == null ? Map.of() : metadata;
      if (java.util.Objects.equals(name, v.name()) && normalized.equals(v.metadata())) {
        return Decision.NOTHING;
      }
      return Decision.persist(new VaultEvent.VaultUpdated(v.id(), name, metadata, by, now));
    }
    if (command instanceof VaultCommand.DeleteVault) {
      return Decision.persist(new VaultEvent.VaultDeleted(v.id(), by, now));
    }
    if (command instanceof VaultCommand.CreateCredential c) {
      String key = c.credential().requestKey();
      if (v.credentials().containsKey(c.credential().id())
          || (key != null
              && v.credentials().values().stream().anyMatch(x -> key.equals(x.requestKey())))) {
        return Decision.NOTHING;
      }
      if (v.credentials().size() >= limits.maxCredentialsPerVault()) {
        return Decision.refuse(
            new VaultProblem(
                VaultProblem.Kind.LIMIT,
                "too_many_credentials",
                "the vault holds " + v.credentials().size() + " credentials, the most it may",
                null));
      }
      return Decision.persist(new VaultEvent.CredentialCreated(v.id(), c.credential(), by, now));
    }
    String credentialId = credentialIdOf(command);
    Credential credential = v.credentials().get(credentialId);
    if (credential == null) {
      return Decision.refuse(VaultProblem.credentialNotFound(credentialId));
    }
    if (command instanceof VaultCommand.DeleteCredential) {
      return Decision.persist(new VaultEvent.CredentialDeleted(v.id(), credentialId, by, now));
    }
    VaultCommand.UpdateCredential c = (VaultCommand.UpdateCredential) command;
    Credential.Auth auth = credential.auth();
    if (c.auth() != null) {
      if (!c.auth().type().equals(auth.type())) {
        return Decision.refuse(
            VaultProblem.invalid(
                "auth.type",
                "a credential's auth type cannot change: this one is "
                    + auth.type()
                    + ", so a rotation sends an auth of type "
                    + auth.type()));
      }
      auth =
          new Credential.Auth(
              auth.type(),
              auth.mcpServerUrl(),
              c.auth().expiresAt() != null ? c.auth().expiresAt() : auth.expiresAt(),
              c.auth().secret());
    }
    Map<String, String> metadata = c.setMetadata() ? c.metadata() : credential.metadata();
    Credential next =
        new Credential(
            credential.id(),
            credential.name(),
            metadata,
            credential.createdAt(),
            now.getEpochSecond(),
            auth,
            credential.requestKey());
    return Decision.persist(new VaultEvent.CredentialUpdated(v.id(), next, by, now));
  }

  /** Re-seals only what still holds the secret the re-sealing node read. */
  private static Decision reseal(TenantVaults s, VaultCommand.Reseal r, Instant now) {
    if (!r.caller().operator()) {
      return Decision.NOTHING;
    }
    Optional<Credential> credential =
        s.vault(r.vaultId()).map(v -> v.credentials().get(r.credentialId()));
    if (credential.isEmpty() || !r.was().equals(credential.get().auth().secret())) {
      return Decision.NOTHING;
    }
    Credential c = credential.get();
    return Decision.persist(
        new VaultEvent.CredentialUpdated(
            r.vaultId(), c.withAuth(c.auth().withSecret(r.now())), r.caller().user(), now));
  }

  /** The reply to {@code command} from the state after it was decided (and persisted). */
  public static VaultReply reply(TenantVaults s, VaultCommand command) {
    VaultCaller caller = command.caller();
    if (command instanceof VaultCommand.ListVaults) {
      return VaultReply.of(
          s.vaults().values().stream()
              .filter(v -> v.visibleTo(caller.user()))
              .map(v -> v.withCredentials(Map.of()))
              .toList());
    }
    if (command instanceof VaultCommand.ReadForCall c) {
      return VaultReply.of(
          c.vaultIds().stream()
              .distinct()
              .map(s.vaults()::get)
              .filter(v -> v != null && v.visibleTo(caller.user()))
              .toList());
    }
    if (command instanceof VaultCommand.ReadSealed) {
      return VaultReply.of(List.copyOf(s.vaults().values()));
    }
    if (command instanceof VaultCommand.DeleteVault || command instanceof VaultCommand.Reseal) {
      return VaultReply.of(List.of());
    }
    if (command instanceof VaultCommand.CreateVault c && s.vault(c.vaultId()).isEmpty()) {
      return VaultReply.of(
          s.createdBy(c.requestKey()).map(v -> List.of(v.withoutSecrets())).orElse(List.of()));
    }
    return VaultReply.of(
        s.vault(vaultIdOf(command)).map(v -> List.of(v.withoutSecrets())).orElse(List.of()));
  }

  private static String vaultIdOf(VaultCommand command) {
    if (command instanceof VaultCommand.UpdateVault c) {
      return c.vaultId();
    }
    if (command instanceof VaultCommand.DeleteVault c) {
      return c.vaultId();
    }
    if (command instanceof VaultCommand.GetVault c) {
      return c.vaultId();
    }
    if (command instanceof VaultCommand.CreateCredential c) {
      return c.vaultId();
    }
    if (command instanceof VaultCommand.UpdateCredential c) {
      return c.vaultId();
    }
    if (command instanceof VaultCommand.DeleteCredential c) {
      return c.vaultId();
    }
    if (command instanceof VaultCommand.Reseal c) {
      return c.vaultId();
    }
    if (command instanceof VaultCommand.CreateVault c) {
      return c.vaultId();
    }
    return null;
  }

  private static String credentialIdOf(VaultCommand command) {
    if (command instanceof VaultCommand.UpdateCredential c) {
      return c.credentialId();
    }
    if (command instanceof VaultCommand.DeleteCredential c) {
      return c.credentialId();
    }
    return null;
  }
}
