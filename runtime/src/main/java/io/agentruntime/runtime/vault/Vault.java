package io.agentruntime.runtime.vault;

import io.agentruntime.runtime.CborSerializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One vault of a tenant. {@code owner} is the user whose own vault it is, or null for a tenant-wide
 * vault (decision 0029); {@code credentials} by id, in the order they were created. {@code
 * requestKey} identifies the request that created it (its creator and Idempotency-Key, hashed), so
 * that request sent again finds it instead of making another; null without a key.
 */
public record Vault(
    String id,
    String owner,
    String name,
    Map<String, String> metadata,
    long createdAt,
    Map<String, Credential> credentials,
    String requestKey)
    implements CborSerializable {

  public Vault {
    metadata =
        metadata == null || metadata.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    credentials =
        credentials == null || credentials.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(credentials));
  }

  /** Whether sessions of tenant-wide scope may use it (no owner), or only its owner's. */
  public boolean tenantWide() {
    return owner == null;
  }

  /** Whether {@code user} may see it and attach it to its sessions. */
  public boolean visibleTo(String user) {
    return owner == null || owner.equals(user);
  }

  /** The vault with every credential's secret left out: what may leave the entity. */
  public Vault withoutSecrets() {
    Map<String, Credential> stripped = new LinkedHashMap<>();
    credentials.forEach((id, c) -> stripped.put(id, c.withoutSecret()));
    return withCredentials(stripped);
  }

  Vault withCredentials(Map<String, Credential> next) {
    return new Vault(id, owner, name, metadata, createdAt, next, requestKey);
  }

  Vault withCredential(Credential credential) {
    Map<String, Credential> next = new LinkedHashMap<>(credentials);
    next.put(credential.id(), credential);
    return withCredentials(next);
  }

  Vault withoutCredential(String credentialId) {
    Map<String, Credential> next = new LinkedHashMap<>(credentials);
    next.remove(credentialId);
    return withCredentials(next);
  }
}
