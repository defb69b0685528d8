package io.agentruntime.http.auth;

import io.agentruntime.runtime.session.Caller;
import java.util.EnumSet;
import java.util.Set;

/**
 * Who an API key speaks for: a user of one tenant, with its roles; {@code keyId} names the key (its
 * hash in hex), for what is counted or ended per key.
 */
public record Principal(String tenant, String user, Set<Role> roles, String keyId) {

  public Principal {
    roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
  }

  public boolean has(Role role) {
    return roles.contains(role);
  }

  /** The caller as the session entity knows it: the tenant is already in the entity id. */
  public Caller caller() {
    return new Caller(user, has(Role.OPERATOR), has(Role.APPROVER));
  }
}
