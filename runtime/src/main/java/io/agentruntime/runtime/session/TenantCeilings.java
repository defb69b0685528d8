package io.agentruntime.runtime.session;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Where a session reads its tenant's ceiling when it decides a call (decision 0018). */
@FunctionalInterface
public interface TenantCeilings {

  /** No tenant has a ceiling: for runtimes without the tenant policy entities (tests). */
  TenantCeilings NONE = tenant -> CompletableFuture.completedFuture(TenantPolicy.NONE);

  /** The tenant's policy as of now (at most the refresh interval old), or a failed stage. */
  CompletionStage<TenantPolicy> ceiling(String tenant);
}
