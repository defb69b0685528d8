package io.agentruntime.runtime.vault;

import io.agentruntime.runtime.CborSerializable;
import java.util.List;

/** A {@link VaultEntity}'s answer: a refusal, or the vaults the command concerns. */
public record VaultReply(VaultProblem problem, List<Vault> vaults) implements CborSerializable {

  public VaultReply {
    vaults = vaults == null ? List.of() : List.copyOf(vaults);
  }

  static VaultReply of(VaultProblem problem) {
    return new VaultReply(problem, List.of());
  }

  static VaultReply of(List<Vault> vaults) {
    return new VaultReply(null, vaults);
  }
}
