package io.agentruntime.runtime.session;

import io.agentruntime.runtime.ratelimits.RateLimitHit;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/** Where a session reads its tenant's ceiling when it decides a call (decision 0018). */
@FunctionalInterface
public interface TenantCeilings {

  /** No tenant has a ceiling: for runtimes without the tenant policy entities (tests). */
  TenantCeilings NONE = tenant -> CompletableFuture.completedFuture(TenantPolicy.NONE);

  /** The tenant's policy as of now (at most the refresh interval old), or a failed stage. */
  CompletionStage<TenantPolicy> ceiling(String tenant);

  /**
   * A slot for call {@code callKey} of {@code tool} under the tenant's rate limit of that tool
   * (decision 0046; {@code force}, asked only of a limited tool: whether a human approved it over
   * the limit, so that it is counted and runs): empty, the call may start (counted, or the tool has
   * no limit); else why it waits for a human. Never fails. Without tenant policy entities (tests)
   * no tool has a limit.
   */
  default CompletionStage<Optional<RateLimitHit>> slot(
      String tenant, String tool, String callKey, BooleanSupplier force) {
    return CompletableFuture.completedFuture(Optional.empty());
  }

  /**
   * The tenant's monthly budgets and what it spent this month (decision 0045), at most the refresh
   * interval old unless {@code fresh} (then read from the tenant's entities), or a failed stage.
   * None known here: no budget.
   */
  default CompletionStage<TenantMonth> month(String tenant, boolean fresh) {
    return CompletableFuture.completedFuture(
        new TenantMonth(TenantBudgets.NONE, new TenantUsage.Spent("", Usage.NONE)));
  }

  /**
   * A session of {@code tenant} reports its cumulative usage (decision 0045); none here: dropped.
   */
  default void counted(String tenant, TenantUsage.Report report) {}
}
