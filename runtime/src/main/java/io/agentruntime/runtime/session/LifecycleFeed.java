package io.agentruntime.runtime.session;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where a session hands the changes of its lifecycle once they are journaled (decision 0027). It
 * never blocks and never fails the session: delivery is the feed's business, and a session
 * announces its recent changes again when it recovers.
 */
@FunctionalInterface
public interface LifecycleFeed {

  /** Nobody listens: for runtimes without webhooks (tests). */
  LifecycleFeed NONE =
      new LifecycleFeed() {
        @Override
        public void notice(String tenant, LifecycleNotice notice) {}

        @Override
        public boolean mayListen(String tenant) {
          return false;
        }
      };

  /** Nothing under way. */
  CompletionStage<Void> SETTLED = CompletableFuture.completedStage(null);

  void notice(String tenant, LifecycleNotice notice);

  /**
   * Completes once every notice handed over for {@code tenant} so far has been taken or given up
   * (never fails): a session does not passivate before, so that a hand-off still under way is not
   * hidden behind its passivation snapshot (decision 0027).
   */
  default CompletionStage<Void> settled(String tenant) {
    return SETTLED;
  }

  /**
   * A change announced once already, offered again by a recovery in case its hand-off was lost (its
   * id unchanged). A feed that forwards only live changes ignores it; by default it is handed over
   * as a new one.
   */
  default void again(String tenant, LifecycleNotice notice) {
    notice(tenant, notice);
  }

  /**
   * False only when the feed knows that nothing offered {@link #again} for the tenant would be
   * taken now (no endpoint): a recovery then derives nothing to offer again.
   */
  default boolean mayListen(String tenant) {
    return true;
  }

  /** Hands each notice to {@code first}, then to {@code second}. */
  static LifecycleFeed both(LifecycleFeed first, LifecycleFeed second) {
    return new LifecycleFeed() {
      @Override
      public void notice(String tenant, LifecycleNotice notice) {
        first.notice(tenant, notice);
        second.notice(tenant, notice);
      }

      @Override
      public void again(String tenant, LifecycleNotice notice) {
        first.again(tenant, notice);
        second.again(tenant, notice);
      }

      @Override
      public boolean mayListen(String tenant) {
        return first.mayListen(tenant) || second.mayListen(tenant);
      }

      @Override
      public CompletionStage<Void> settled(String tenant) {
        CompletionStage<Void> a = first.settled(tenant);
        CompletionStage<Void> b = second.settled(tenant);
        return a == SETTLED ? b : b == SETTLED ? a : a.thenCombine(b, (x, y) -> null);
      }
    };
  }
}
