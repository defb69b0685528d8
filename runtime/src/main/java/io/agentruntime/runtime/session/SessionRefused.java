package io.agentruntime.runtime.session;

/**
 * A session refused what was asked, for the reason {@code problem} gives; nothing changed. How a
 * {@link SessionService} stage fails on a refusal.
 */
public final class SessionRefused extends RuntimeException {

  private final transient Problem problem;

  public SessionRefused(Problem problem) {
    super(problem.code() + ": " + problem.message(), null, false, false);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
