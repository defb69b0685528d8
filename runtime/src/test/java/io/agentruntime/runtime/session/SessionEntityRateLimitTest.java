package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.FakeModel.call;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.ratelimits.RateLimitHit;
import io.agentruntime.runtime.session.SessionEvent.ApprovalRequested;
import io.agentruntime.runtime.session.SessionEvent.ToolCallSucceeded;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A call of a rate-limited tool (decision 0046) on the entity: over the limit it is not sent and
 * waits for a human, also across a restart of the entity; approved, it is sent and counted (the
 * counter is asked with force); a call within the limit is sent at once.
 */
class SessionEntityRateLimitTest extends AgentLoopTestSupport {

  private static final RateLimitHit FULL = RateLimitHit.over("hour", 10, 10);

  /** What the session asked of the counter: call key and whether it was approved over the limit. */
  private record Asked(String tool, String key, boolean force) {}

  private final List<Asked> asked = new CopyOnWriteArrayList<>();
  private volatile boolean full = true;

  @Override
  TenantCeilings ceilings() {
    return new TenantCeilings() {
      @Override
      public CompletionStage<TenantPolicy> ceiling(String tenant) {
        return CompletableFuture.completedFuture(TenantPolicy.NONE);
      }

      @Override
      public CompletionStage<Optional<RateLimitHit>> slot(
          String tenant, String tool, String callKey, BooleanSupplier approvedOverLimit) {
        boolean force = approvedOverLimit.getAsBoolean();
        asked.add(new Asked(tool, callKey, force));
        // Answered off the actor thread, as the counter entity's reply is.
        return CompletableFuture.supplyAsync(
            () -> full && !force ? Optional.of(FULL) : Optional.empty());
      }
    };
  }

  @Test
  void aCallOverTheLimitIsNotSentAndWaitsForAHumanAcrossARestartThenRunsApproved() {
    full = true; // one test instance serves every test of the class
    asked.clear();
    create();
    send("search the files");
    model.call(1).callTools(call("c1", "files__search", "{\"q\":\"x\"}"));
    settled();
    awaitState(s -> !s.pendingApprovals().isEmpty());
    List<SessionEvent> step = newEvents();
    ApprovalRequested held = only(ApprovalRequested.class, step);
    assertEquals(FULL, held.rateLimit());
    assertEquals(json("{\"q\":\"x\"}"), held.arguments());
    assertTrue(tools.invocations().isEmpty(), "a call over the limit is not sent");
    Approval a = pendingApprovals().get(0);
    assertEquals(Approval.RATE_LIMIT, a.reason());
    assertEquals(TurnStatus.AWAITING_APPROVAL, kit.getState().turn(held.turnId()).get().status());

    restartAndCheck();
    assertEquals(List.of(a), pendingApprovals(), "after a restart the call still waits");
    assertTrue(tools.invocations().isEmpty());

    decided(a.id(), "approve");
    settled();
    awaitState(s -> tools.invocations().size() == 1);
    Asked last = asked.get(asked.size() - 1);
    assertTrue(last.force(), "an approved call is counted anyway: " + asked);
    assertEquals(asked.get(0).key(), last.key(), "the same call, the same key: counted once");
    tools.invocation(1).succeed(json("{\"hits\":1}"));
    settled();
    assertEquals(1, all(ToolCallSucceeded.class, newEvents()).size());
  }

  @Test
  void aCallWithinTheLimitIsSentAtOnce() {
    full = false;
    asked.clear();
    create();
    send("search the files");
    model.call(1).callTools(call("c1", "files__search", "{}"));
    settled();
    awaitState(s -> tools.invocations().size() == 1);
    assertTrue(pendingApprovals().isEmpty());
    assertEquals("files__search", asked.get(0).tool());
    tools.invocation(1).succeed(json("{\"hits\":0}"));
    settled();
  }
}
