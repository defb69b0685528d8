package io.agentruntime.runtime.session;

/**
 * Where a session hands the changes of its lifecycle once they are journaled (decision 0027). It
 * never blocks and never fails the session: delivery is the feed's business, and a session
 * announces its recent changes again when it recovers.
 */
@FunctionalInterface
public interface LifecycleFeed {

  /** Nobody listens: for runtimes without webhooks (tests). */
  LifecycleFeed NONE = (tenant, notice) -> {};

  void notice(String tenant, LifecycleNotice notice);

  /** Hands each notice to {@code first}, then to {@code second}. */
  static LifecycleFeed both(LifecycleFeed first, LifecycleFeed second) {
    return (tenant, notice) -> {
      first.notice(tenant, notice);
      second.notice(tenant, notice);
    };
  }
}
