package io.agentruntime.runtime.vault;

/** How a {@link Vaults} stage fails when the request is refused; nothing changed. */
public final class VaultRefused extends RuntimeException {

  private final transient VaultProblem problem;

  public VaultRefused(VaultProblem problem) {
    super(problem.code() + ": " + problem.message(), null, false, false);
    this.problem = problem;
  }

  public VaultProblem problem() {
    return problem;
  }
}
