package io.agentruntime.runtime.session;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/** What the policy says about calling a tool. */
public enum Permission {
  ALLOW,
  ASK,
  DENY;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Permission fromWireName(String name) {
    return parse(name)
        .orElseThrow(() -> new IllegalArgumentException("unknown permission " + name));
  }

  public static Optional<Permission> parse(String name) {
    for (Permission p : values()) {
      if (p.wireName().equals(name)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
