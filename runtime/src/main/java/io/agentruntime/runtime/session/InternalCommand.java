package io.agentruntime.runtime.session;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.agentruntime.runtime.model.ModelReply;
import io.agentruntime.runtime.ratelimits.RateLimitHit;
import io.agentruntime.runtime.tools.ToolResult;

/**
 * What a session tells itself: results of the work it started, its timers, and the ends of the
 * writes it waited for. Package-private, so nothing outside the session can send one; none leaves
 * the node (they are {@code CborSerializable} as every command is, which the entity tests check).
 * None is answered: nobody asked.
 */
sealed interface InternalCommand extends SessionCommand {

  /** The deletion an erase asked for has ended; {@code failure} is null when it went well. */
  record ErasureEnded(String failure, long owed) implements InternalCommand {}

  /** The deadline of the answer {@code owed} passed: its asker hears the fallback now. */
  record AnswerDue(long owed) implements InternalCommand {}

  /** The directory write answer {@code owed} waited for has ended (well or not). */
  record DirectoryWritten(long owed) implements InternalCommand {}

  /** A piece of the model's text for the followers. */
  record PublishDelta(String turnId, String text) implements InternalCommand {}

  /**
   * Sharding's stop message: the session moves to another node. It starts nothing new, and stops
   * once the tool calls in flight have landed (decision 0017).
   */
  record HandOff() implements InternalCommand {}

  /** The hand-off waited {@code handoff-timeout} for calls in flight: the session stops now. */
  record HandOffTimedOut() implements InternalCommand {}

  /** Look at where the work stands and go on (sent after recovery). */
  record ResumeWork() implements InternalCommand {}

  /**
   * The model answered step {@code step} of a turn; {@code ceiling} is the tenant's policy read
   * since (null until the session has read it, {@link TenantPolicy#UNREADABLE} when it could not).
   */
  record ModelAnswered(String turnId, int step, ModelReply reply, TenantPolicy ceiling)
      implements InternalCommand {
    ModelAnswered(String turnId, int step, ModelReply reply) {
      this(turnId, step, reply, null);
    }
  }

  /**
   * The tenant's policy was read for a human's decision (null: it could not be read); the decision
   * is taken now, unless its asker gave up by then ({@code notAfterMillis}, as for {@code
   * Expiring}). {@code decision} is the {@link SessionCommand.DecideApproval} as it was asked,
   * possibly {@link SessionCommand.Keyed}: its key is checked again and journaled with the
   * decision.
   */
  record CeilingRead(
      @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "class") SessionCommand.Asked decision,
      TenantPolicy ceiling,
      long notAfterMillis)
      implements InternalCommand {}

  /** The model call of step {@code step} failed for good. */
  record ModelFailed(String turnId, int step, String code, String message)
      implements InternalCommand {}

  /** A tool call ended. The result names its kind, like every polymorphic field. */
  record ToolFinished(
      String turnId,
      String toolCallId,
      @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
          @JsonSubTypes({
            @JsonSubTypes.Type(value = ToolResult.Succeeded.class, name = "succeeded"),
            @JsonSubTypes.Type(value = ToolResult.Failed.class, name = "failed"),
            @JsonSubTypes.Type(value = ToolResult.Unknown.class, name = "unknown")
          })
          ToolResult result)
      implements InternalCommand {}

  /**
   * The pause after an unknown outcome of tool call {@code key} is over: it is sent again if the
   * journal still says it runs (decision 0016).
   */
  record RetryDue(String key) implements InternalCommand {}

  /**
   * Tool call {@code toolCallId}, running under {@code idempotencyKey}, was about to be sent over
   * its tenant's rate limit of the tool ({@code hit}): it was not sent (decision 0046).
   */
  record RateLimitReached(String turnId, String toolCallId, String idempotencyKey, RateLimitHit hit)
      implements InternalCommand {}

  /**
   * Step {@code step} of a turn is due while a session budget (decision 0039) or, {@code tenant}
   * when not null, the tenant's monthly budget (decision 0045) is spent.
   */
  record BudgetReached(String turnId, int step, Budgets.Exceeded tenant)
      implements InternalCommand {
    BudgetReached(String turnId, int step) {
      this(turnId, step, null);
    }
  }

  /**
   * The tenant's month was read (decision 0045): fresh for the model call {@code modelKey} when not
   * null (its budget looked spent in the node's cache); the next reconcile decides with it.
   */
  record TenantMonthRead(String modelKey) implements InternalCommand {}

  /**
   * Turn {@code turnId}, started by a schedule's firing, may make its first model call: no firing
   * of the node waits any more, or it waited its longest (decision 0064).
   */
  record FiringsClear(String turnId) implements InternalCommand {}

  /** Time to look whether the session's tenant is still suspended (decision 0042). */
  record TenantChecked() implements InternalCommand {}

  /** A turn's time budget may have run out. */
  record TurnDeadlinePassed(String turnId) implements InternalCommand {}

  /** An approval's deadline may have passed. */
  record ApprovalDeadlinePassed(String approvalId) implements InternalCommand {}

  /** A function call's wait for the client's result may be over (decision 0023). */
  record ClientCallDeadlinePassed(String turnId, String toolCallId) implements InternalCommand {}

  /** Write the status to the directory if it changed since the last write. */
  record ListStatus() implements InternalCommand {}

  /** The session may have been idle long enough to stop. */
  record IdleCheck() implements InternalCommand {}

  /**
   * The snapshot saved at passivation (at event {@code seq}) was written or failed, and older
   * passivation snapshots were pruned; the session stops if nothing happened since.
   */
  record ReadyToPassivate(long seq) implements InternalCommand {}
}
