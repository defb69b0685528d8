package io.agentruntime.runtime.vault;

import io.agentruntime.runtime.CborSerializable;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One tenant's vaults, by id (ids sort by creation time): the state of its {@link VaultEntity},
 * folded from {@link VaultEvent}s by {@link #apply}, which never fails.
 */
public record TenantVaults(Map<String, Vault> vaults) implements CborSerializable {

  public static final TenantVaults EMPTY = new TenantVaults(Map.of());

  public TenantVaults {
    vaults =
        vaults == null || vaults.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new TreeMap<>(vaults));
  }

  public Optional<Vault> vault(String id) {
    return Optional.ofNullable(vaults.get(id));
  }

  /** The vault the request {@code requestKey} created, if it is still there. */
  public Optional<Vault> createdBy(String requestKey) {
    return requestKey == null
        ? Optional.empty()
        : vaults.values().stream().filter(v -> requestKey.equals(v.requestKey())).findFirst();
  }

  /** The state after {@code event}; an event about a vault that is gone changes nothing. */
  public TenantVaults apply(VaultEvent event) {
    TreeMap<String, Vault> next = new TreeMap<>(vaults);
    if (event instanceof VaultEvent.VaultCreated e) {
      next.put(
          e.vaultId(),
          new Vault(
              e.vaultId(),
              e.owner(),
              e.name(),
              e.metadata(),
              e.at().getEpochSecond(),
              Map.of(),
              e.requestKey()));
    } else if (event instanceof VaultEvent.VaultUpdated e) {
      next.computeIfPresent(
          e.vaultId(),
          (id, v) ->
              new Vault(
                  id,
                  v.owner(),
                  e.name(),
                  e.metadata(),
                  v.createdAt(),
                  v.credentials(),
                  v.requestKey()));
    } else if (event instanceof VaultEvent.VaultDeleted e) {
      next.remove(e.vaultId());
    } else if (event instanceof VaultEvent.CredentialCreated e) {
      next.computeIfPresent(e.vaultId(), (id, v) -> v.withCredential(e.credential()));
    } else if (event instanceof VaultEvent.CredentialUpdated e) {
      next.computeIfPresent(e.vaultId(), (id, v) -> v.withCredential(e.credential()));
    } else if (event instanceof VaultEvent.CredentialDeleted e) {
      next.computeIfPresent(e.vaultId(), (id, v) -> v.withoutCredential(e.credentialId()));
    }
    return new TenantVaults(next);
  }
}
