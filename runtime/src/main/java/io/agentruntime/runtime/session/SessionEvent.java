package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.ratelimits.RateLimitHit;
import io.agentruntime.runtime.tools.ToolConnection;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What happened to a session: the journal is its history and audit trail. Events are a stored
 * contract; their class names are the serialization manifests. Add fields only as optional, and
 * reshape only with a Jackson migration (the golden samples under test guard this). {@code by} is
 * the user whose request caused the change.
 */
public sealed interface SessionEvent extends CborSerializable {

  Instant at();

  /** The snake_case name clients see, e.g. on the SSE stream. */
  String type();

  /**
   * A turn ended, for good: completed, failed or cancelled. (A sub-interface changes no manifest:
   * the records keep their names.)
   */
  sealed interface TurnEnded extends SessionEvent permits TurnCompleted, TurnFailed, TurnCancelled {
    String turnId();

    /** How it ended, as metrics name it. */
    String outcome();
  }

  /** A tool call's one outcome: it succeeded, failed, was rejected or cancelled. */
  sealed interface ToolCallEnded extends SessionEvent
      permits ToolCallSucceeded, ToolCallFailed, ToolCallRejected, ToolCallCancelled {
    String turnId();

    String toolCallId();

    /** The outcome's name, as the transcript and metrics keep it. */
    String outcome();
  }

  record SessionCreated(Owner owner, SessionSpec spec, Instant at) implements SessionEvent {
    public String type() {
      return "session_created";
    }
  }

  record SessionClosed(String by, Instant at) implements SessionEvent {
    public String type() {
      return "session_closed";
    }
  }

  /**
   * An operator suspended the session: it accepts no new message and starts no model or tool call
   * until {@link SessionResumed}; results of calls already made are still journaled.
   */
  record SessionSuspended(String by, String reason, Instant at) implements SessionEvent {
    public String type() {
      return "session_suspended";
    }
  }

  /**
   * An operator resumed a suspended session; a running turn's time budget moves on by the pause.
   */
  record SessionResumed(String by, Instant at) implements SessionEvent {
    public String type() {
      return "session_resumed";
    }
  }

  /**
   * An operator erased the session. The one event kept of it: every earlier event and every
   * snapshot is deleted, and this tombstone (which holds no content) refuses the id for good.
   * {@code seq} is its own sequence number, which recovery cannot count once the events before it
   * are gone.
   */
  record SessionErased(long seq, String by, Instant at) implements SessionEvent {
    public String type() {
      return "session_erased";
    }
  }

  /**
   * The session went idle and is about to passivate: a snapshot of its state is saved at this
   * event, so that its next recovery reads the snapshot and no events (decision 0051). Bookkeeping,
   * not a change: it leaves the state as it was (only the sequence number moves on, not updatedAt)
   * and is not counted in the metrics; the event stream shows it as it shows every journaled event.
   */
  record SessionPassivating(Instant at) implements SessionEvent {
    public String type() {
      return "session_passivating";
    }
  }

  record MemoryWritten(String key, JsonNode value, String by, Instant at) implements SessionEvent {
    public String type() {
      return "memory_written";
    }
  }

  record MemoryDeleted(String key, String by, Instant at) implements SessionEvent {
    public String type() {
      return "memory_deleted";
    }
  }

  record ToolConnected(ToolConnection tool, String by, Instant at) implements SessionEvent {
    public String type() {
      return "tool_connected";
    }
  }

  record ToolDisconnected(String name, String by, Instant at) implements SessionEvent {
    public String type() {
      return "tool_disconnected";
    }
  }

  /**
   * The session's agent and/or metadata were replaced (null: that part unchanged), as the Agents
   * API's session update asks.
   */
  record SessionUpdated(AgentDefinition agent, Map<String, String> metadata, String by, Instant at)
      implements SessionEvent {
    public String type() {
      return "session_updated";
    }
  }

  record PermissionsChanged(PermissionPolicy permissions, String by, Instant at)
      implements SessionEvent {
    public String type() {
      return "permissions_changed";
    }
  }

  /**
   * A write of the API was accepted under the client's idempotency key {@code key}: journaled
   * together with (after) the events of that write, so that a retry with the same key answers the
   * first outcome and changes nothing again. {@code fingerprint} is a hash of what was asked (the
   * operation, its arguments and the user), so that the same key with another request is refused.
   * The session keeps the most recent keys only ({@link RequestKeys#WINDOW}). Messages keep their
   * key in {@link UserMessageAccepted} instead.
   */
  record IdempotencyKeyRecorded(String key, String fingerprint, Instant at)
      implements SessionEvent {
    public String type() {
      return "idempotency_key_recorded";
    }
  }

  /**
   * A user message was accepted and a turn opened for it. {@code idempotencyKey} is the client's
   * key for the request, or null; a retry with the same key answers this turn again. {@code source}
   * is null for a client's message and {@code schedule} for one a schedule sent (decision 0037;
   * events before it lack the field).
   */
  record UserMessageAccepted(
      String turnId, String content, String idempotencyKey, String by, Instant at, String source)
      implements SessionEvent {

    public UserMessageAccepted(
        String turnId, String content, String idempotencyKey, String by, Instant at) {
      this(turnId, content, idempotencyKey, by, at, null);
    }

    /** The source of a message a schedule sent. */
    public static final String SCHEDULE = "schedule";

    public String type() {
      return "user_message";
    }
  }

  /**
   * A user message steers the running turn {@code turnId} (decision 0024): no turn is opened, and
   * the message reaches the turn's next model call. {@code idempotencyKey} is the client's key for
   * the request, or null; a retry with the same key answers this turn again.
   */
  record UserMessageSteered(
      String turnId, String content, String idempotencyKey, String by, Instant at)
      implements SessionEvent {
    public String type() {
      return "user_message_steered";
    }
  }

  record TurnCancelled(String turnId, String reason, String by, Instant at) implements TurnEnded {
    public String type() {
      return "turn_cancelled";
    }

    public String outcome() {
      return "cancelled";
    }
  }

  /** The oldest queued turn began to run: the runtime now asks the model. */
  record TurnStarted(String turnId, Instant at) implements SessionEvent {
    public String type() {
      return "turn_started";
    }
  }

  /**
   * The model answered step {@code step} of a turn: text, and the tool calls it asks for (empty
   * when it answered the user). Tokens are what the provider counted for this call.
   */
  record AssistantReplied(
      String turnId,
      int step,
      String text,
      List<TranscriptEntry.ToolCall> toolCalls,
      long inputTokens,
      long outputTokens,
      Instant at,
      BigDecimal costUsd)
      implements SessionEvent {
    public AssistantReplied {
      toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    /** A reply whose cost is unknown (no price configured; every event written before costs). */
    public AssistantReplied(
        String turnId,
        int step,
        String text,
        List<TranscriptEntry.ToolCall> toolCalls,
        long inputTokens,
        long outputTokens,
        Instant at) {
      this(turnId, step, text, toolCalls, inputTokens, outputTokens, at, null);
    }

    public String type() {
      return "assistant_message";
    }
  }

  /**
   * The runtime is about to call a tool: journaled before the call, so that after a crash it knows
   * the call may have happened. {@code idempotencyKey} is sent with every attempt. {@code
   * definition} is the connection the call goes to, as it was then: every attempt and recovery use
   * it (null in events written before it, and for built-in tools).
   */
  record ToolCallStarted(
      String turnId,
      String toolCallId,
      String tool,
      JsonNode arguments,
      String idempotencyKey,
      Instant at,
      ToolDefinition definition)
      implements SessionEvent {
    public ToolCallStarted(
        String turnId,
        String toolCallId,
        String tool,
        JsonNode arguments,
        String idempotencyKey,
        Instant at) {
      this(turnId, toolCallId, tool, arguments, idempotencyKey, at, null);
    }

    public String type() {
      return "tool_call_started";
    }
  }

  /**
   * The model called a function the client runs (decision 0023): the runtime calls nothing, the
   * call waits for the client's result until {@code expiresAt}. Journaled before anything announces
   * the call, so that a result can never come for a call the session does not know.
   */
  record ClientToolCallRequested(
      String turnId,
      String toolCallId,
      String tool,
      JsonNode arguments,
      Instant expiresAt,
      Instant at)
      implements SessionEvent {
    public String type() {
      return "client_tool_call_requested";
    }
  }

  record ToolCallSucceeded(String turnId, String toolCallId, JsonNode result, Instant at)
      implements ToolCallEnded {
    public String type() {
      return "tool_call_succeeded";
    }

    public String outcome() {
      return "succeeded";
    }
  }

  record ToolCallFailed(String turnId, String toolCallId, String code, String message, Instant at)
      implements ToolCallEnded {
    public String type() {
      return "tool_call_failed";
    }

    public String outcome() {
      return "failed";
    }
  }

  /** The policy or a human said no: the tool was never called. */
  record ToolCallRejected(String turnId, String toolCallId, String reason, Instant at)
      implements ToolCallEnded {
    public String type() {
      return "tool_call_rejected";
    }

    public String outcome() {
      return "rejected";
    }
  }

  /** The turn ended before the call had an outcome (cancel, budget, interrupt). */
  record ToolCallCancelled(String turnId, String toolCallId, String reason, Instant at)
      implements ToolCallEnded {
    public String type() {
      return "tool_call_cancelled";
    }

    public String outcome() {
      return "cancelled";
    }
  }

  /**
   * A started call's outcome is unknown: the session stopped while it ran, its tool's answer never
   * came (a timeout, a connection lost after the request was sent), or the turn was told to end
   * while it ran. It is never called again silently: approval {@code approvalId} asks a human to
   * retry it, fail it, or supply the result; a late answer of the tool settles it too. {@code
   * reason} says why the outcome is unknown (optional: events before decision 0016 lack it, and
   * were all written after a crash). {@code onExpiry} is what the question's expiry does (deny: the
   * call is failed and the turn goes on; fail: the turn fails too; null in older events: deny).
   */
  record ToolCallInDoubt(
      String turnId,
      String toolCallId,
      String approvalId,
      Instant expiresAt,
      Instant at,
      String reason,
      String onExpiry)
      implements SessionEvent {

    public String type() {
      return "tool_call_in_doubt";
    }
  }

  /**
   * The turn was told to end ({@code code} {@code cancelled}, or a failure such as {@code
   * turn_timeout}) while calls of it had an unknown outcome. It waits for a human to decide each of
   * them (decision 0016), then ends as told: cancelled when {@code code} is {@code cancelled}, else
   * failed with {@code code}.
   */
  record TurnEnding(String turnId, String code, String reason, String by, Instant at)
      implements SessionEvent {
    public String type() {
      return "turn_ending";
    }
  }

  /**
   * The policy says ask: a human must approve this exact call, to this {@code definition} of the
   * tool (null in events written before it), before it runs. {@code onExpiry} is what an expiry
   * does (deny or fail; null in events written before it: deny). {@code rateLimit} set: the call
   * was about to start over its tenant's rate limit of the tool, and waits for a human (reason
   * {@code rate_limit}, decision 0046; null in every other approval and in events before it).
   */
  record ApprovalRequested(
      String approvalId,
      String turnId,
      String toolCallId,
      String tool,
      JsonNode arguments,
      Instant expiresAt,
      Instant at,
      ToolDefinition definition,
      String onExpiry,
      RateLimitHit rateLimit)
      implements SessionEvent {

    public String type() {
      return "approval_requested";
    }
  }

  /**
   * An approval was withdrawn before anyone decided it: the tool it asked about changed, or the
   * policy now denies the call. What follows in the same batch says what became of the call (asked
   * again, rejected or failed). {@code by} is the user whose change withdrew it, if any.
   */
  record ApprovalWithdrawn(String approvalId, String reason, String by, Instant at)
      implements SessionEvent {
    public String type() {
      return "approval_withdrawn";
    }
  }

  record ApprovalGranted(String approvalId, String by, String comment, Instant at)
      implements SessionEvent {
    public String type() {
      return "approval_granted";
    }
  }

  record ApprovalDenied(String approvalId, String by, String comment, Instant at)
      implements SessionEvent {
    public String type() {
      return "approval_denied";
    }
  }

  /**
   * Nobody decided before the deadline: an outcome of its own, never a deny. The call is rejected
   * (in doubt: failed), and with the approval's {@code onExpiry} {@code fail} the turn fails too.
   */
  record ApprovalExpired(String approvalId, Instant at) implements SessionEvent {
    public String type() {
      return "approval_expired";
    }
  }

  /**
   * The next model call of turn {@code turnId} would start past the session's {@code budget}
   * ({@code tokens}: {@code used} of {@code limit} tokens spent): the turn pauses for approval
   * {@code approvalId}, to raise the budget or deny (decision 0039). Nothing was cut mid-work.
   * {@code limitUsd} and {@code usedUsd} say the cost in USD where a cost budget is concerned (null
   * in every event written before cost budgets).
   */
  record BudgetExceeded(
      String approvalId,
      String turnId,
      String budget,
      long limit,
      long used,
      Instant expiresAt,
      Instant at,
      BigDecimal limitUsd,
      BigDecimal usedUsd)
      implements SessionEvent {

    public String type() {
      return "budget_exceeded";
    }
  }

  /**
   * A human approved budget approval {@code approvalId} and raised the session's token budget to
   * {@code maxSessionTokens}: the paused turn goes on. {@code maxSessionCost} is set where it
   * raised the cost budget instead (null in every event written before cost budgets).
   */
  record BudgetRaised(
      String approvalId,
      long maxSessionTokens,
      String by,
      String comment,
      Instant at,
      BigDecimal maxSessionCost)
      implements SessionEvent {

    /** Whether this raised the cost budget ({@code maxSessionCost}) rather than the tokens. */
    public boolean raisedCost() {
      return maxSessionCost != null;
    }

    public String type() {
      return "budget_raised";
    }
  }

  /** A human resolved an in-doubt call: {@code decision} is retry, fail or result. */
  record InDoubtResolved(String approvalId, String decision, String by, String comment, Instant at)
      implements SessionEvent {
    public String type() {
      return "in_doubt_resolved";
    }
  }

  record TurnCompleted(String turnId, String output, Instant at) implements TurnEnded {
    public String type() {
      return "turn_completed";
    }

    public String outcome() {
      return "completed";
    }
  }

  /**
   * The turn ended without an answer; {@code code} is stable (model_unavailable,
   * step_budget_exhausted ...).
   */
  record TurnFailed(String turnId, String code, String message, Instant at) implements TurnEnded {
    public String type() {
      return "turn_failed";
    }

    public String outcome() {
      return "failed";
    }
  }
}
