package io.agentruntime.http.auth;

import java.util.Locale;
import java.util.Optional;

/** What an API key may do: use sessions, decide approvals, operate the tenant. */
public enum Role {
  USER,
  APPROVER,
  OPERATOR;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String name) {
    for (Role r : values()) {
      if (r.wireName().equals(name)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
