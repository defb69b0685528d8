package io.agentruntime.runtime.session;

import java.util.UUID;

/** Fresh ids of turns, approvals and idempotency keys: a prefix and 32 random hex digits. */
public final class Ids {

  private Ids() {}

  public static String newId(String prefix) {
    return prefix + UUID.randomUUID().toString().replace("-", "");
  }
}
