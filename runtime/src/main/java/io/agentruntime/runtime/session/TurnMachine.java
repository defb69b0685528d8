package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.agentruntime.runtime.model.ModelReply;
import io.agentruntime.runtime.model.ToolCall;
import io.agentruntime.runtime.ratelimits.RateLimitHit;
import io.agentruntime.runtime.session.SessionEvent.ApprovalDenied;
import io.agentruntime.runtime.session.SessionEvent.ApprovalExpired;
import io.agentruntime.runtime.session.SessionEvent.ApprovalGranted;
import io.agentruntime.runtime.session.SessionEvent.ApprovalRequested;
import io.agentruntime.runtime.session.SessionEvent.ApprovalWithdrawn;
import io.agentruntime.runtime.session.SessionEvent.AssistantReplied;
import io.agentruntime.runtime.session.SessionEvent.BudgetExceeded;
import io.agentruntime.runtime.session.SessionEvent.BudgetRaised;
import io.agentruntime.runtime.session.SessionEvent.ClientToolCallRequested;
import io.agentruntime.runtime.session.SessionEvent.InDoubtResolved;
import io.agentruntime.runtime.session.SessionEvent.ToolCallCancelled;
import io.agentruntime.runtime.session.SessionEvent.ToolCallFailed;
import io.agentruntime.runtime.session.SessionEvent.ToolCallInDoubt;
import io.agentruntime.runtime.session.SessionEvent.ToolCallRejected;
import io.agentruntime.runtime.session.SessionEvent.ToolCallStarted;
import io.agentruntime.runtime.session.SessionEvent.ToolCallSucceeded;
import io.agentruntime.runtime.session.SessionEvent.TurnCancelled;
import io.agentruntime.runtime.session.SessionEvent.TurnCompleted;
import io.agentruntime.runtime.session.SessionEvent.TurnEnding;
import io.agentruntime.runtime.session.SessionEvent.TurnFailed;
import io.agentruntime.runtime.session.SessionEvent.TurnStarted;
import io.agentruntime.runtime.session.SessionEvent.UserMessageAccepted;
import io.agentruntime.runtime.session.SessionEvent.UserMessageSteered;
import io.agentruntime.runtime.tools.ToolResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The turn state machine. Given the session's state, one input and the time, it returns a {@link
 * Decision}: the events to persist, or a refusal. No actor, no clock, no I/O: the entity persists
 * the events, and {@link TurnDriver} then starts what the new state asks for (model and tool calls,
 * timers). Fresh ids are its only randomness.
 *
 * <pre>
 *  user message --(another turn runs: QUEUE / REJECT / INTERRUPT)--> QUEUED
 *               --(STEER, the active turn runs or waits for the client)--> UserMessageSteered:
 *                    its next model call sees it; a text answer that did not see it asks again
 *       |                                            (a turn ends: the oldest queued one starts)
 *       v
 *  RUNNING, awaiting the model --model reply(text)--> COMPLETED
 *       |                      --model failed / deadline / cancel--> FAILED | CANCELLED
 *       +--model reply(tool calls), for each call:
 *             unknown tool | bad arguments       -> ToolCallFailed
 *             policy deny                         -> ToolCallRejected
 *             policy ask -> ApprovalRequested(tool's definition) (AWAITING_APPROVAL)
 *                             -> approve -> (as allow, to the definition asked about)
 *                             -> approve, but the policy now denies -> withdrawn, ToolCallRejected
 *                             -> deny -> ToolCallRejected
 *                             -> expire -> ApprovalExpired, ToolCallRejected; with onExpiry
 *                                fail the turn FAILED (approval_expired) as a deadline ends it
 *                             -> the tool changes -> withdrawn, ApprovalRequested again
 *             policy allow -> built in: run in place -> ToolCallSucceeded | ToolCallFailed
 *                          -> a function the client runs: ClientToolCallRequested (WAITING)
 *                                --the client's result--> ToolCallSucceeded | ToolCallFailed
 *                                --nobody answers by its deadline--> ToolCallFailed
 *                          -> ToolCallStarted(idempotency key) --tool outcome-->
 *                                ToolCallSucceeded | ToolCallFailed (proven: an error answer,
 *                                never sent, result too large)
 *                                | unknown (timeout, connection lost after sending):
 *                                    idempotent and the turn's budget lasts -> sent again
 *                                    (same key); else ToolCallInDoubt
 *       <-- when every call of the step has its one outcome, back to awaiting the model
 *
 *  step budget spent, or the deadline passed, with calls asked for: the calls cancelled (none was
 *      sent), FAILED
 *  a model call due while the session's token budget is spent: BudgetExceeded (AWAITING_APPROVAL)
 *      -> approve with a raise -> BudgetRaised, the model is asked
 *      -> deny | expire -> FAILED (budget_exhausted)
 *  deadline, cancel, interrupt, close, terminate: calls awaiting approval or the client cancelled;
 *      (a turn waiting for the client has no running deadline: its budget is paused); then
 *      no call with an unknown outcome -> FAILED | CANCELLED
 *      else running calls ToolCallInDoubt, TurnEnding (AWAITING_APPROVAL) --every in-doubt
 *      call decided (or answered late by its tool)--> FAILED | CANCELLED as told
 *  in doubt (AWAITING_APPROVAL): retry (started again, same key, to the journaled definition;
 *      refused while the policy denies the tool) | fail | result | the tool's late answer
 *      | expire (ToolCallFailed in_doubt_expired; with onExpiry fail the turn FAILED too)
 *  recovery: a call that was running is run again if its tool (as journaled) is idempotent, else
 *      in doubt
 *
 *  policy: the stricter of the session's policy and the tenant's ceiling (TenantPolicy)
 * </pre>
 *
 * Every tool call ends with exactly one outcome, so the history a model is shown stays valid. A
 * call that may have reached its tool is never recorded failed or cancelled without proof, and
 * never sent again without a human (decision 0016).
 */
final class TurnMachine {

  /** The decision journaled when a tool's late answer settles an in-doubt call. */
  static final String ANSWERED = "answered";

  /** Why a call is in doubt after recovery. */
  static final String CUT_OFF =
      "the session stopped while the call ran (a crash, or its node left)";

  private static final String CANCELLED = "cancelled";

  private final SessionSettings settings;
  private final TurnSettings turns;
  private final SessionValidation validation;
  private final BuiltInTools builtIns;

  TurnMachine(SessionSettings settings, TurnSettings turns) {
    this.settings = settings;
    this.turns = turns;
    this.validation = new SessionValidation(settings);
    this.builtIns = new BuiltInTools(validation, settings.maxMemoryEntries());
  }

  // ---- inputs from the API ----

  /** The turn a message was sent for already: by its idempotency key, or the turn it names. */
  static Optional<Turn> earlier(SessionState s, String idempotencyKey, String turnId) {
    Optional<Turn> earlier =
        idempotencyKey == null ? Optional.empty() : s.turnForIdempotencyKey(idempotencyKey);
    return earlier.isEmpty() && turnId != null ? s.turn(turnId) : earlier;
  }

  /** A new user message opens turn {@code turnId}, queued or started at once. */
  Decision userMessage(
      SessionState s,
      String by,
      String content,
      OnBusy onBusy,
      String idempotencyKey,
      String turnId,
      Instant now) {
    return userMessage(s, by, content, onBusy, idempotencyKey, turnId, now, null);
  }

  /** As above, from {@code source} (null: a client). */
  Decision userMessage(
      SessionState s,
      String by,
      String content,
      OnBusy onBusy,
      String idempotencyKey,
      String turnId,
      Instant now,
      String source) {
    if (s.suspended()) {
      return Decision.refuse(
          Problem.conflict(
              "session_suspended",
              "the session is suspended by an operator; it takes no new messages until resumed"));
    }
    Optional<Problem> problem = validation.message(content);
    if (problem.isPresent()) {
      return Decision.refuse(problem.get());
    }
    Optional<Turn> active = s.activeTurn();
    if (onBusy == OnBusy.STEER && active.isPresent()) {
      return steer(s, active.get(), by, content, idempotencyKey, now);
    }
    List<Turn> unfinished = s.unfinishedTurns();
    if (!unfinished.isEmpty() && onBusy == OnBusy.REJECT) {
      return Decision.refuse(
          Problem.conflict("session_busy", "turn " + unfinished.get(0).id() + " has not ended"));
    }
    if (onBusy != OnBusy.INTERRUPT && s.queuedMessages() >= settings.maxQueuedMessages()) {
      return Decision.refuse(
          new Problem(
              Problem.Kind.LIMIT,
              "queue_full",
              settings.maxQueuedMessages()
                  + " messages wait for their turn already; send again once some have run",
              null));
    }
    EventBatch b = new EventBatch(s);
    if (onBusy == OnBusy.INTERRUPT) {
      endAll(b, "interrupted by a new message", by, now);
    }
    b.add(new UserMessageAccepted(turnId, content, idempotencyKey, by, now, source));
    startNextTurn(b, now);
    return Decision.of(b);
  }

  /**
   * A message steers the active turn {@code turn} (decision 0024): journaled for its next model
   * call, no turn opened. A turn that waits for a human, or was told to end, cannot take it.
   */
  private Decision steer(
      SessionState s, Turn turn, String by, String content, String idempotencyKey, Instant now) {
    if (turn.toldToEnd()) {
      return Decision.refuse(notSteerable(turn, "is being ended"));
    }
    if (turn.status() == TurnStatus.AWAITING_APPROVAL) {
      return Decision.refuse(notSteerable(turn, "waits for a human's decision"));
    }
    return Decision.of(new UserMessageSteered(turn.id(), content, idempotencyKey, by, now));
  }

  private static Problem notSteerable(Turn turn, String why) {
    return Problem.conflict(
        "active_turn_not_steerable",
        "turn "
            + turn.id()
            + " "
            + why
            + "; send the message again once it has ended, or queue it");
  }

  /**
   * Cancels the active turn, whichever it is (the Agents API's cancel names none); nothing to do
   * when no turn is active.
   */
  Decision cancelActive(SessionState s, String by, Instant now) {
    Optional<Turn> active = s.activeTurn();
    return active.isEmpty() ? Decision.none() : cancel(s, active.get().id(), by, now);
  }

  /**
   * The client submits the outcome of function call {@code callId} of turn {@code turnId}, which it
   * runs (decision 0023): journaled as the call's outcome, and the turn goes on once every call of
   * its step has one. A call that does not wait for the client (never asked, answered already, of
   * another turn, or ended with its turn) is refused: nothing is journaled.
   */
  Decision clientResult(
      SessionState s,
      String turnId,
      String callId,
      boolean success,
      JsonNode output,
      String error,
      Instant now) {
    Optional<PendingCall> call =
        turnId == null || callId == null
            ? Optional.empty()
            : s.pendingCall(turnId, callId)
                .filter(c -> c.stage() == PendingCall.Stage.AWAITING_CLIENT);
    if (call.isEmpty()) {
      return Decision.refuse(unknownToolCall(callId));
    }
    EventBatch b = new EventBatch(s);
    if (success) {
      JsonNode result = output == null || output.isMissingNode() ? NullNode.getInstance() : output;
      int size = result.toString().getBytes(StandardCharsets.UTF_8).length;
      if (size > turns.maxToolResultBytes()) {
        return Decision.refuse(
            Problem.tooLarge(
                "output",
                "the output has "
                    + size
                    + " bytes, over the limit of "
                    + turns.maxToolResultBytes()));
      }
      b.add(new ToolCallSucceeded(turnId, callId, result, now));
    } else {
      String message =
          error == null || error.isBlank() ? "the client reported that the call failed" : error;
      int size = message.getBytes(StandardCharsets.UTF_8).length;
      if (size > turns.maxToolResultBytes()) {
        return Decision.refuse(
            Problem.tooLarge(
                "error",
                "the error has "
                    + size
                    + " bytes, over the limit of "
                    + turns.maxToolResultBytes()));
      }
      b.add(new ToolCallFailed(turnId, callId, CLIENT_ERROR, message, now));
    }
    endIfToldTo(b, turnId, now);
    return Decision.of(b);
  }

  /** The code of a call the client reported failed. */
  static final String CLIENT_ERROR = "client_error";

  /** The code of a call the client did not answer by its deadline. */
  static final String CLIENT_TIMEOUT = "client_tool_timeout";

  /** An approval nobody decided in time: the refusal of a late decision, and the turn's failure. */
  static final String APPROVAL_EXPIRED = "approval_expired";

  /**
   * The refusal of a result for a call that does not wait for the client. Its message is what the
   * OpenAI SDKs' tool helpers match (they retry it with the same idempotency key).
   */
  static Problem unknownToolCall(String callId) {
    return new Problem(
        Problem.Kind.INVALID,
        "unknown_tool_call",
        "Unknown pending tool call: " + callId,
        "callId");
  }

  /** A client's call may have waited past its deadline: if so it fails, and the turn goes on. */
  Decision clientCallDeadlinePassed(SessionState s, String turnId, String callId, Instant now) {
    EventBatch b = new EventBatch(s);
    s.pendingCall(turnId, callId)
        .filter(c -> c.stage() == PendingCall.Stage.AWAITING_CLIENT)
        .filter(c -> c.expiresAt() != null && !now.isBefore(c.expiresAt()))
        .ifPresent(
            c -> {
              b.add(
                  new ToolCallFailed(
                      turnId,
                      callId,
                      CLIENT_TIMEOUT,
                      "the client sent no result for this call by " + c.expiresAt(),
                      now));
              endIfToldTo(b, turnId, now);
            });
    return Decision.of(b);
  }

  /** Cancels a turn that has not ended; the next queued one starts. */
  Decision cancel(SessionState s, String turnId, String by, Instant now) {
    Optional<Turn> turn = s.turn(turnId);
    if (turn.isEmpty()) {
      return Decision.refuse(turnNotFound(turnId));
    }
    if (turn.get().status().terminal()) {
      return Decision.refuse(
          Problem.conflict(
              "turn_ended",
              "turn " + turnId + " has already ended: " + turn.get().status().wireName()));
    }
    EventBatch b = new EventBatch(s);
    if (turn.get().status() == TurnStatus.QUEUED) {
      b.add(new TurnCancelled(turnId, "cancelled by " + by, by, now));
    } else {
      endTurn(b, turn.get(), true, null, "cancelled by " + by, by, now);
      startNextTurn(b, now);
    }
    return Decision.of(b);
  }

  /**
   * A human decides an approval: approve or deny a call the policy asked about, or retry, fail or
   * give the result of a call left in doubt. An approval whose deadline passed is expired instead
   * (journaled, and refused).
   */
  Decision humanDecision(
      SessionState s,
      Caller caller,
      String approvalId,
      String decision,
      String comment,
      JsonNode result,
      Instant now) {
    return humanDecision(s, caller, approvalId, decision, comment, result, TenantPolicy.NONE, now);
  }

  /**
   * As above, under the tenant's {@code ceiling} as read just now (null: it could not be read, and
   * a decision that would run the call is refused as unavailable). A call the policy now denies is
   * not run: an approval is withdrawn and the call rejected, a retry is refused.
   */
  Decision humanDecision(
      SessionState s,
      Caller caller,
      String approvalId,
      String decision,
      String comment,
      JsonNode result,
      TenantPolicy ceiling,
      Instant now) {
    if (!caller.approver()) {
      return Decision.refuse(
          new Problem(
              Problem.Kind.FORBIDDEN,
              "role_missing",
              "deciding approvals needs the approver role",
              null));
    }
    Optional<Approval> found = s.approval(approvalId);
    if (found.isEmpty()) {
      return Decision.refuse(
          new Problem(
              Problem.Kind.NOT_FOUND,
              "approval_not_found",
              "no approval " + approvalId,
              "approvalId"));
    }
    Approval approval = found.get();
    if (Approval.EXPIRED.equals(approval.status())) {
      return Decision.refuse(expired(approval));
    }
    if (!approval.pending()) {
      return Decision.refuse(
          Problem.conflict(
              "approval_decided", "approval " + approvalId + " is " + approval.status()));
    }
    EventBatch b = new EventBatch(s);
    if (!now.isBefore(approval.expiresAt())) {
      // The deadline passed before its timer fired: the approval is expired, whatever comes now.
      expire(b, approval, now);
      endIfToldTo(b, approval.turnId(), now);
      return Decision.of(b, expired(approval));
    }
    Optional<Problem> refused =
        applyHumanDecision(
            b, approval, decision, comment, result, caller.user(), caller.operator(), ceiling, now);
    if (refused.isPresent() && b.events().isEmpty()) {
      return Decision.refuse(refused.get());
    }
    endIfToldTo(b, approval.turnId(), now);
    // Refused with events: withdrawn and rejected, journaled, then refused.
    return refused.isPresent() ? Decision.of(b, refused.get()) : Decision.of(b);
  }

  // ---- inputs from the work the session started ----

  /** The model answered step {@code step}: the turn completes, or the calls it asked for go on. */
  Decision modelReplied(SessionState s, String turnId, int step, ModelReply reply, Instant now) {
    return modelReplied(s, turnId, step, reply, TenantPolicy.NONE, now);
  }

  /** As above, the calls decided under the tenant's {@code ceiling}. */
  Decision modelReplied(
      SessionState s,
      String turnId,
      int step,
      ModelReply reply,
      TenantPolicy ceiling,
      Instant now) {
    EventBatch b = new EventBatch(s);
    awaitingModel(s, turnId, step)
        .ifPresent(turn -> onModelReply(b, turn, step, reply, ceiling, now));
    return Decision.of(b);
  }

  /** The model call of step {@code step} failed for good: so does the turn. */
  Decision modelFailed(
      SessionState s, String turnId, int step, String code, String message, Instant now) {
    EventBatch b = new EventBatch(s);
    awaitingModel(s, turnId, step)
        .ifPresent(
            turn -> {
              endTurn(b, turn, false, code, message, null, now);
              startNextTurn(b, now);
            });
    return Decision.of(b);
  }

  /**
   * A call's answer came back: the outcome of a running call, bounded in size. An unknown outcome
   * sends an idempotent call again (no event: the driver calls it with the same key) while the
   * turn's budget lasts, else puts the call in doubt. The answer of a call already in doubt settles
   * it. Other stale news is dropped.
   */
  Decision toolFinished(
      SessionState s, String turnId, String toolCallId, ToolResult result, Instant now) {
    EventBatch b = new EventBatch(s);
    Optional<PendingCall> pending = s.pendingCall(turnId, toolCallId);
    if (pending.isEmpty()) {
      return Decision.of(b);
    }
    PendingCall call = pending.get();
    if (call.stage() == PendingCall.Stage.RUNNING) {
      if (!(result instanceof ToolResult.Unknown unknown)) {
        finishTool(b, call, result, now);
      } else if (!mayCallAgain(s, call, now)) {
        b.add(inDoubt(s, call, unknown.message(), now));
      }
    } else if (call.stage() == PendingCall.Stage.IN_DOUBT
        && !(result instanceof ToolResult.Unknown)) {
      // The tool answered after all: what the human was asked is now known, so it is journaled
      // as the call's outcome and the question closes.
      b.add(
          new InDoubtResolved(
              call.approvalId(),
              ANSWERED,
              null,
              "the tool answered after the call was put in doubt",
              now));
      finishTool(b, call, result, now);
    }
    endIfToldTo(b, turnId, now);
    return Decision.of(b);
  }

  /** The code a turn fails with when its budget approval is denied or expires. */
  static final String BUDGET_EXHAUSTED = "budget_exhausted";

  /**
   * Step {@code step} of a turn is due while a session budget is spent: rather than start the model
   * call, the turn pauses for a budget approval (decision 0039). Nothing when the turn no longer
   * waits for that step, or the budget was raised meanwhile.
   */
  Decision budgetReached(SessionState s, String turnId, int step, Instant now) {
    return budgetReached(s, turnId, step, Optional.empty(), now);
  }

  /**
   * As above, with the tenant's monthly budget the driver found spent ({@code tenant}, decision
   * 0045; the session's own budgets are asked first): the approval names the tenant budget.
   */
  Decision budgetReached(
      SessionState s, String turnId, int step, Optional<Budgets.Exceeded> tenant, Instant now) {
    Optional<Budgets.Exceeded> spent = Budgets.exceeded(s).or(() -> tenant);
    if (spent.isEmpty() || s.suspended() || awaitingModel(s, turnId, step).isEmpty()) {
      return Decision.none();
    }
    return Decision.of(
        new BudgetExceeded(
            Ids.newId("appr_"),
            turnId,
            spent.get().budget(),
            spent.get().limit(),
            spent.get().used(),
            now.plus(turns.approvalTimeout()),
            now,
            spent.get().limitUsd(),
            spent.get().usedUsd()));
  }

  /**
   * Call {@code toolCallId} was about to be sent over its tenant's rate limit of the tool (decision
   * 0046): it was not sent, and waits for a human as a policy approval does (reason {@code
   * rate_limit}, saying the window, the limit and the count). Nothing when the call no longer runs
   * as it did then (it ended, went in doubt, or runs again under another key).
   */
  Decision rateLimitReached(
      SessionState s,
      String turnId,
      String toolCallId,
      String idempotencyKey,
      RateLimitHit hit,
      Instant now) {
    Optional<PendingCall> running =
        s.pendingCall(turnId, toolCallId)
            .filter(c -> c.stage() == PendingCall.Stage.RUNNING)
            .filter(c -> Objects.equals(c.idempotencyKey(), idempotencyKey));
    if (running.isEmpty()) {
      return Decision.none();
    }
    PendingCall call = running.get();
    return Decision.of(
        new ApprovalRequested(
            Ids.newId("appr_"),
            turnId,
            toolCallId,
            call.tool(),
            call.arguments(),
            now.plus(turns.approvalTimeout()),
            now,
            call.definition(),
            s.permissions().onExpiryOf(call.tool()),
            hit));
  }

  /** The turn's time budget may have run out: if so, it fails. */
  Decision turnDeadlinePassed(SessionState s, String turnId, Instant now) {
    EventBatch b = new EventBatch(s);
    s.activeTurn()
        .filter(t -> t.id().equals(turnId) && t.status() == TurnStatus.RUNNING)
        .filter(t -> t.deadline() != null && !now.isBefore(t.deadline()))
        .ifPresent(
            turn -> {
              endTurn(b, turn, false, "turn_timeout", timeoutMessage(s), null, now);
              startNextTurn(b, now);
            });
    return Decision.of(b);
  }

  /** An approval's deadline may have passed: if nobody decided, it expires. */
  Decision approvalDeadlinePassed(SessionState s, String approvalId, Instant now) {
    EventBatch b = new EventBatch(s);
    s.approval(approvalId)
        .filter(a -> a.pending() && !now.isBefore(a.expiresAt()))
        .ifPresent(
            approval -> {
              expire(b, approval, now);
              endIfToldTo(b, approval.turnId(), now);
            });
    return Decision.of(b);
  }

  /**
   * After recovery: calls that were running when the session stopped ({@code cutOff}, pending-call
   * keys) are run again when their tool is idempotent, else put in doubt for a human.
   */
  Decision recover(SessionState s, Set<String> cutOff, Instant now) {
    EventBatch b = new EventBatch(s);
    for (String key : cutOff) {
      PendingCall call = s.pendingCalls().get(key);
      if (call == null || call.stage() != PendingCall.Stage.RUNNING) {
        continue;
      }
      if (!idempotent(s, call)) {
        b.add(inDoubt(s, call, CUT_OFF, now));
      }
    }
    if (s.exists()) {
      startNextTurn(b, now);
    }
    return Decision.of(b);
  }

  // ---- steps shared with the session's rules ----

  /** Starts the oldest queued turn when none runs and the session is open. */
  void startNextTurn(EventBatch b, Instant now) {
    SessionState s = b.state();
    if (s.closed() || s.suspended() || s.activeTurn().isPresent()) {
      return;
    }
    s.nextQueuedTurn().ifPresent(next -> b.add(new TurnStarted(next.id(), now)));
  }

  /** Ends every turn that has not ended (the running one first), for {@code reason}. */
  void endAll(EventBatch b, String reason, String by, Instant now) {
    b.state().activeTurn().ifPresent(t -> endTurn(b, t, true, null, reason, by, now));
    // The running one may still wait for its in-doubt calls (decision 0016): only those queued end.
    b.state().unfinishedTurns().stream()
        .filter(t -> t.status() == TurnStatus.QUEUED)
        .forEach(t -> b.add(new TurnCancelled(t.id(), reason, by, now)));
  }

  static Problem turnNotFound(String turnId) {
    return new Problem(Problem.Kind.NOT_FOUND, "turn_not_found", "no turn " + turnId, "turnId");
  }

  // ---- the steps themselves ----

  /** The turn, if it still waits for the answer of this very step. */
  private static Optional<Turn> awaitingModel(SessionState s, String turnId, int step) {
    return s.activeTurn()
        .filter(t -> t.id().equals(turnId) && s.awaitsModel(t) && t.steps() + 1 == step);
  }

  /**
   * Whether a message steered turn {@code turnId} after the model was last asked: journaled after
   * the turn's last entry that is not a steering message (the opening message, or the last outcome
   * of a step), it arrived while that model call ran (decision 0024).
   */
  static boolean unseenSteering(SessionState s, String turnId) {
    List<TranscriptEntry> transcript = s.transcript();
    boolean steered = false;
    for (int i = transcript.size() - 1; i >= 0; i--) {
      TranscriptEntry e = transcript.get(i);
      if (!turnId.equals(e.turnId())) {
        continue; // a queued message journaled meanwhile
      }
      if (!e.steering()) {
        return steered;
      }
      steered = true;
    }
    return steered;
  }

  private void onModelReply(
      EventBatch b, Turn turn, int step, ModelReply reply, TenantPolicy ceiling, Instant now) {
    // Every call needs an id of its own to get exactly one outcome: a missing or repeated id
    // (some models send them) is replaced by one made from the step and position.
    Set<String> seen = new HashSet<>();
    List<TranscriptEntry.ToolCall> calls = new ArrayList<>();
    for (int i = 0; i < reply.toolCalls().size(); i++) {
      ToolCall c = reply.toolCalls().get(i);
      String id =
          c.id() == null || c.id().isBlank() || !seen.add(c.id())
              ? "call_s" + step + "_" + i
              : c.id();
      seen.add(id);
      calls.add(
          new TranscriptEntry.ToolCall(
              id,
              c.name(),
              c.arguments() != null
                  ? c.arguments()
                  : TextNode.valueOf(c.rawArguments() == null ? "" : c.rawArguments())));
    }
    String text = reply.text() == null ? "" : reply.text();
    boolean unseen = unseenSteering(b.state(), turn.id());
    b.add(
        new AssistantReplied(
            turn.id(),
            step,
            text,
            calls,
            reply.inputTokens(),
            reply.outputTokens(),
            now,
            reply.costUsd()));
    if (calls.isEmpty()
        && unseen
        && step < b.state().agent().limits().maxStepsPerTurn()
        && (turn.deadline() == null || now.isBefore(turn.deadline()))
        && Budgets.exceeded(b.state()).isEmpty()) {
      // A message steered the turn while the model answered without it: the turn is not done, its
      // next step shows the model the message (decision 0024).
      return;
    }
    if (calls.isEmpty()) {
      b.add(new TurnCompleted(turn.id(), text, now));
      startNextTurn(b, now);
    } else if (step >= b.state().agent().limits().maxStepsPerTurn()) {
      calls.forEach(
          c ->
              b.add(
                  new ToolCallCancelled(
                      turn.id(), c.id(), "the turn reached its step budget", now)));
      b.add(
          new TurnFailed(
              turn.id(),
              "step_budget_exhausted",
              "the model asked for more tools after "
                  + step
                  + " steps, the most this agent may take",
              now));
      startNextTurn(b, now);
    } else if (turn.deadline() != null && !now.isBefore(turn.deadline())) {
      // Nothing starts after the deadline: the calls were never sent.
      calls.forEach(
          c ->
              b.add(
                  new ToolCallCancelled(
                      turn.id(), c.id(), "the turn's time budget ran out before it started", now)));
      b.add(new TurnFailed(turn.id(), "turn_timeout", timeoutMessage(b.state()), now));
      startNextTurn(b, now);
    } else {
      calls.forEach(c -> applyPolicy(b, turn.id(), c, ceiling, now));
    }
  }

  /**
   * The runtime, not the model, decides whether a call runs: deny, ask or allow, the stricter of
   * the session's policy and the tenant's ceiling.
   */
  private void applyPolicy(
      EventBatch b,
      String turnId,
      TranscriptEntry.ToolCall call,
      TenantPolicy ceiling,
      Instant now) {
    SessionState s = b.state();
    Optional<ToolCatalog.Target> target = ToolCatalog.resolve(s, call.name());
    Permission permission = ceiling.effective(s.permissions(), call.name());
    if (target.isEmpty()) {
      b.add(
          new ToolCallFailed(
              turnId,
              call.id(),
              "unknown_tool",
              "this session has no tool named " + call.name(),
              now));
    } else if (permission == Permission.DENY) {
      b.add(new ToolCallRejected(turnId, call.id(), deniedBy(s, ceiling, call.name()), now));
    } else if (!call.arguments().isObject()) {
      b.add(
          new ToolCallFailed(
              turnId, call.id(), "invalid_arguments", "the arguments must be a JSON object", now));
    } else if (permission == Permission.ASK) {
      b.add(
          new ApprovalRequested(
              Ids.newId("appr_"),
              turnId,
              call.id(),
              call.name(),
              call.arguments(),
              now.plus(turns.approvalTimeout()),
              now,
              ToolDefinition.of(target.get()),
              s.permissions().onExpiryOf(call.name()),
              null));
    } else {
      execute(b, turnId, call.id(), target.get(), call.arguments(), now);
    }
  }

  private static String deniedBy(SessionState s, TenantPolicy ceiling, String tool) {
    return s.permissions().decide(tool) == Permission.DENY
        ? "the session's policy denies " + tool
        : "the tenant's policy denies " + tool;
  }

  /**
   * The connection {@code name} was replaced or removed: every call of its tools that waits for an
   * approval given for another definition is withdrawn and asked again with the new one (rejected
   * if the policy now denies it, failed if the tool is gone). Calls already running keep the
   * definition they started with.
   */
  void toolChanged(EventBatch b, String name, String by, Instant now) {
    for (PendingCall call : List.copyOf(b.state().pendingCalls().values())) {
      boolean ofTool = call.tool().equals(name) || call.tool().startsWith(name + "__");
      if (!ofTool || call.stage() != PendingCall.Stage.AWAITING_APPROVAL) {
        continue;
      }
      SessionState s = b.state();
      Optional<ToolCatalog.Target> target = ToolCatalog.resolve(s, call.tool());
      if (target.isPresent() && target.get().builtIn()) {
        continue;
      }
      ToolDefinition current = target.map(ToolDefinition::of).orElse(null);
      if (target.isPresent() && call.definition() != null && call.definition().equals(current)) {
        continue; // what the approver is asked about has not changed
      }
      Optional<Approval> approval = s.approval(call.approvalId());
      if (approval.isEmpty() || !approval.get().pending()) {
        continue;
      }
      b.add(
          new ApprovalWithdrawn(
              call.approvalId(),
              "the tool " + call.tool() + " changed while its approval waited",
              by,
              now));
      if (target.isEmpty()) {
        b.add(
            new ToolCallFailed(
                call.turnId(),
                call.toolCallId(),
                "unknown_tool",
                "the tool was disconnected while its approval waited",
                now));
      } else if (s.permissions().decide(call.tool()) == Permission.DENY) {
        b.add(
            new ToolCallRejected(
                call.turnId(),
                call.toolCallId(),
                "the session's policy denies " + call.tool(),
                now));
      } else {
        b.add(
            new ApprovalRequested(
                Ids.newId("appr_"),
                call.turnId(),
                call.toolCallId(),
                call.tool(),
                call.arguments(),
                now.plus(turns.approvalTimeout()),
                now,
                current,
                s.permissions().onExpiryOf(call.tool()),
                null));
      }
    }
  }

  /** Runs a built-in tool in place, or journals the intent to call an external one. */
  private void execute(
      EventBatch b,
      String turnId,
      String callId,
      ToolCatalog.Target target,
      JsonNode args,
      Instant now) {
    if (target.builtIn()) {
      builtIns.run(b, turnId, callId, target.exposedName(), args, now);
    } else if (target.byClient()) {
      // Nothing is called: the call is journaled for the client, which runs it (decision 0023).
      b.add(
          new ClientToolCallRequested(
              turnId, callId, target.exposedName(), args, now.plus(turns.approvalTimeout()), now));
    } else {
      b.add(
          new ToolCallStarted(
              turnId,
              callId,
              target.exposedName(),
              args,
              Ids.newId("idem_"),
              now,
              ToolDefinition.of(target)));
    }
  }

  private void finishTool(EventBatch b, PendingCall call, ToolResult result, Instant now) {
    if (result instanceof ToolResult.Succeeded ok) {
      int size =
          ok.result() == null ? 4 : ok.result().toString().getBytes(StandardCharsets.UTF_8).length;
      if (size > turns.maxToolResultBytes()) {
        b.add(
            new ToolCallFailed(
                call.turnId(),
                call.toolCallId(),
                "tool_result_too_large",
                "the result has "
                    + size
                    + " bytes, over the limit of "
                    + turns.maxToolResultBytes(),
                now));
      } else {
        b.add(new ToolCallSucceeded(call.turnId(), call.toolCallId(), ok.result(), now));
      }
    } else if (result instanceof ToolResult.Failed failed) {
      b.add(
          new ToolCallFailed(
              call.turnId(), call.toolCallId(), failed.code(), failed.message(), now));
    } else {
      // The executor promises a result. Should it break that, the call still gets its one outcome:
      // left without one, it would look not yet started and be called a second time.
      b.add(
          new ToolCallFailed(
              call.turnId(),
              call.toolCallId(),
              "tool_error",
              "the tool executor gave no result",
              now));
    }
  }

  /**
   * Ends a running turn. A call awaiting approval was never sent: it is cancelled. A call that may
   * have reached its tool (running, or in doubt already) is not: a running one goes in doubt, and
   * the turn waits for a human to decide each such call, then ends as told ({@link TurnEnding}). A
   * turn told to end already keeps its first ending.
   */
  private void endTurn(
      EventBatch b,
      Turn turn,
      boolean cancelled,
      String code,
      String message,
      String by,
      Instant now) {
    boolean unknownOutcomes = false;
    for (PendingCall call : b.state().pendingCallsOf(turn.id())) {
      switch (call.stage()) {
        case AWAITING_APPROVAL, AWAITING_CLIENT ->
            b.add(new ToolCallCancelled(turn.id(), call.toolCallId(), message, now));
        case RUNNING -> {
          b.add(inDoubt(b.state(), call, "the turn ended while the call ran: " + message, now));
          unknownOutcomes = true;
        }
        case IN_DOUBT -> unknownOutcomes = true;
      }
    }
    if (unknownOutcomes) {
      if (!turn.toldToEnd()) {
        b.add(new TurnEnding(turn.id(), cancelled ? CANCELLED : code, message, by, now));
      }
    } else {
      b.add(
          cancelled
              ? new TurnCancelled(turn.id(), message, by, now)
              : new TurnFailed(turn.id(), code, message, now));
    }
  }

  /**
   * A turn told to end whose last call with an unknown outcome was just decided ends now, as it was
   * told; the next queued turn starts.
   */
  private void endIfToldTo(EventBatch b, String turnId, Instant now) {
    SessionState s = b.state();
    Optional<Turn> turn = s.turn(turnId).filter(Turn::toldToEnd);
    if (turn.isEmpty() || !s.pendingCallsOf(turnId).isEmpty()) {
      return;
    }
    TurnError how = turn.get().error();
    b.add(
        CANCELLED.equals(how.code())
            ? new TurnCancelled(turnId, how.message(), null, now)
            : new TurnFailed(turnId, how.code(), how.message(), now));
    startNextTurn(b, now);
  }

  /** The call may have reached its tool: a human decides (retry, fail, result). */
  private ToolCallInDoubt inDoubt(SessionState s, PendingCall call, String reason, Instant now) {
    return new ToolCallInDoubt(
        call.turnId(),
        call.toolCallId(),
        Ids.newId("appr_"),
        now.plus(turns.approvalTimeout()),
        now,
        reason,
        s.permissions().onExpiryOf(call.tool()));
  }

  /**
   * An idempotent call whose outcome is unknown is sent again, with the same key, while its turn
   * runs within its budget; a call with side effects never is.
   */
  private static boolean mayCallAgain(SessionState s, PendingCall call, Instant now) {
    return idempotent(s, call)
        && s.turn(call.turnId())
            .filter(t -> t.status() == TurnStatus.RUNNING && !t.toldToEnd())
            .filter(t -> t.deadline() != null && now.isBefore(t.deadline()))
            .isPresent();
  }

  /**
   * Whether the call's tool is idempotent, as journaled when the call started (decision 0018); a
   * call journaled before definitions were falls back to the tool as connected now.
   */
  private static boolean idempotent(SessionState s, PendingCall call) {
    return call.definition() != null
        ? call.definition().idempotent()
        : ToolCatalog.resolve(s, call.tool()).map(ToolCatalog.Target::idempotent).orElse(false);
  }

  private static String timeoutMessage(SessionState s) {
    return "the turn ran longer than its budget of " + s.agent().limits().maxTurnSeconds() + " s";
  }

  /** Applies a human's decision; empty when it was applied, else why it was refused. */
  private Optional<Problem> applyHumanDecision(
      EventBatch b,
      Approval a,
      String decision,
      String comment,
      JsonNode result,
      String by,
      boolean operator,
      TenantPolicy ceiling,
      Instant now) {
    if (Budgets.ofTenant(a)) {
      return decideTenantBudget(b, a, decision, comment, result, by, operator, now);
    } else if (Approval.BUDGET.equals(a.reason())) {
      return decideBudget(b, a, decision, comment, result, by, now);
    }
    PendingCall call = b.state().pendingCall(a.turnId(), a.toolCallId()).orElse(null);
    if (call == null) {
      return Optional.of(
          Problem.conflict("approval_decided", "the call of this approval has already ended"));
    }
    if (a.asksToRun()) {
      switch (decision) {
        case "approve" -> {
          if (ceiling == null) {
            return Optional.of(policyUnavailable());
          }
          if (ceiling.effective(b.state().permissions(), a.tool()) == Permission.DENY) {
            String reason = deniedBy(b.state(), ceiling, a.tool());
            b.add(new ApprovalWithdrawn(a.id(), reason, null, now));
            b.add(new ToolCallRejected(a.turnId(), a.toolCallId(), reason, now));
            return Optional.of(
                Problem.conflict(
                    "tool_denied", reason + " now: the approval was withdrawn, the call rejected"));
          }
          b.add(new ApprovalGranted(a.id(), by, comment, now));
          // The definition the approver was asked about; older approvals lack it.
          Optional<ToolCatalog.Target> target =
              ToolCatalog.resolve(b.state(), a.tool(), call.definition());
          if (target.isPresent()) {
            execute(b, a.turnId(), a.toolCallId(), target.get(), a.arguments(), now);
          } else {
            b.add(
                new ToolCallFailed(
                    a.turnId(), a.toolCallId(), "unknown_tool", "the tool was disconnected", now));
          }
        }
        case "deny" -> {
          b.add(new ApprovalDenied(a.id(), by, comment, now));
          b.add(
              new ToolCallRejected(
                  a.turnId(),
                  a.toolCallId(),
                  "denied by " + by + (comment == null ? "" : ": " + comment),
                  now));
        }
        default -> {
          return Optional.of(Problem.invalid("decision", "decision must be approve or deny"));
        }
      }
    } else {
      switch (decision) {
        case "retry" -> {
          if (ceiling == null) {
            return Optional.of(policyUnavailable());
          }
          if (ceiling.effective(b.state().permissions(), a.tool()) == Permission.DENY) {
            return Optional.of(
                Problem.conflict(
                    "tool_denied",
                    deniedBy(b.state(), ceiling, a.tool())
                        + " now: the call is not sent again; decide fail or result"));
          }
          b.add(new InDoubtResolved(a.id(), decision, by, comment, now));
          b.add(
              new ToolCallStarted(
                  a.turnId(),
                  a.toolCallId(),
                  call.tool(),
                  call.arguments(),
                  call.idempotencyKey(),
                  now,
                  call.definition()));
        }
        case "fail" -> {
          b.add(new InDoubtResolved(a.id(), decision, by, comment, now));
          b.add(
              new ToolCallFailed(
                  a.turnId(),
                  a.toolCallId(),
                  "in_doubt",
                  "failed by " + by + " after the call's outcome was unknown",
                  now));
        }
        case "result" -> {
          if (result == null) {
            return Optional.of(
                Problem.invalid("result", "result is required with the decision result"));
          }
          b.add(new InDoubtResolved(a.id(), decision, by, comment, now));
          b.add(new ToolCallSucceeded(a.turnId(), a.toolCallId(), result, now));
        }
        default -> {
          return Optional.of(
              Problem.invalid(
                  "decision", "decision must be retry, fail or result for an in-doubt call"));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * A budget approval: approve with a raise (the turn goes on, its next model call under the new
   * budget) or deny (the turn fails with {@code budget_exhausted}). {@code raise} is the decision's
   * payload.
   */
  private Optional<Problem> decideBudget(
      EventBatch b,
      Approval a,
      String decision,
      String comment,
      JsonNode raise,
      String by,
      Instant now) {
    switch (decision) {
      case "approve" -> {
        Budgets.Raise taken = Budgets.raise(b.state(), a, raise);
        if (taken.problem() != null) {
          return Optional.of(taken.problem());
        }
        b.add(
            new BudgetRaised(
                a.id(), taken.maxSessionTokens(), by, comment, now, taken.maxSessionCost()));
      }
      case "deny" -> {
        b.add(new ApprovalDenied(a.id(), by, comment, now));
        b.add(
            new TurnFailed(
                a.turnId(),
                BUDGET_EXHAUSTED,
                "the session's budget is spent and "
                    + by
                    + " did not raise it"
                    + (comment == null ? "" : ": " + comment),
                now));
        startNextTurn(b, now);
      }
      default -> {
        return Optional.of(
            Problem.invalid("decision", "decision must be approve or deny for a budget approval"));
      }
    }
    return Optional.empty();
  }

  /**
   * A tenant budget approval (decision 0045): an operator approves with a raise above what the
   * tenant spent (the session journals the grant; {@code Sessions} then writes the raise to the
   * tenant's policy), anyone with the approver role denies (the turn fails {@code
   * budget_exhausted}).
   */
  private Optional<Problem> decideTenantBudget(
      EventBatch b,
      Approval a,
      String decision,
      String comment,
      JsonNode raise,
      String by,
      boolean operator,
      Instant now) {
    switch (decision) {
      case "approve" -> {
        Budgets.TenantRaise taken = Budgets.tenantRaise(a, raise, operator);
        if (taken.problem() != null) {
          return Optional.of(taken.problem());
        }
        b.add(new ApprovalGranted(a.id(), by, comment, now));
      }
      case "deny" -> {
        b.add(new ApprovalDenied(a.id(), by, comment, now));
        b.add(
            new TurnFailed(
                a.turnId(),
                BUDGET_EXHAUSTED,
                "the tenant's "
                    + a.arguments().path("budget").asText()
                    + " budget is spent and "
                    + by
                    + " did not raise it"
                    + (comment == null ? "" : ": " + comment),
                now));
        startNextTurn(b, now);
      }
      default -> {
        return Optional.of(
            Problem.invalid("decision", "decision must be approve or deny for a budget approval"));
      }
    }
    return Optional.empty();
  }

  private static Problem policyUnavailable() {
    return new Problem(
        Problem.Kind.UNAVAILABLE,
        "policy_unavailable",
        "the tenant's policy could not be read; nothing was decided, try again",
        null);
  }

  private static Problem expired(Approval a) {
    return Problem.conflict(
        APPROVAL_EXPIRED, "approval " + a.id() + " expired at " + a.expiresAt());
  }

  /**
   * Nobody decided in time: the approval expires (its own outcome, decision 0036) and the call is
   * refused (an in-doubt call is failed); with {@code onExpiry} {@code fail} the turn fails too.
   */
  private void expire(EventBatch b, Approval a, Instant now) {
    b.add(new ApprovalExpired(a.id(), now));
    if (Approval.BUDGET.equals(a.reason())) {
      // A budget approval names no call: nobody raised the budget, so the turn cannot go on.
      b.add(
          new TurnFailed(
              a.turnId(),
              BUDGET_EXHAUSTED,
              (Budgets.ofTenant(a) ? "the tenant's monthly budget" : "the session's budget")
                  + " is spent and nobody raised it by "
                  + a.expiresAt(),
              now));
      startNextTurn(b, now);
      return;
    } else if (Approval.IN_DOUBT.equals(a.reason())) {
      b.add(
          new ToolCallFailed(
              a.turnId(),
              a.toolCallId(),
              "in_doubt_expired",
              "nobody resolved the in-doubt call by " + a.expiresAt(),
              now));
    } else {
      b.add(
          new ToolCallRejected(
              a.turnId(), a.toolCallId(), "the approval expired at " + a.expiresAt(), now));
    }
    if (Approval.ON_EXPIRY_FAIL.equals(a.expiryPath())) {
      b.state()
          .turn(a.turnId())
          .filter(t -> !t.status().terminal() && !t.toldToEnd())
          .ifPresent(
              turn -> {
                endTurn(
                    b,
                    turn,
                    false,
                    APPROVAL_EXPIRED,
                    "nobody decided approval " + a.id() + " by " + a.expiresAt(),
                    null,
                    now);
                startNextTurn(b, now);
              });
    }
  }
}
