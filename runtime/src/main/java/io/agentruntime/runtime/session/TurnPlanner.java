package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.agentruntime.runtime.model.ModelReply;
import io.agentruntime.runtime.session.SessionEvent.*;
import io.agentruntime.runtime.tools.ToolResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The decisions of the turn state machine, as events: what follows a model reply, a tool outcome, a
 * human decision, a deadline. Pure apart from fresh ids: it only adds events to a batch, and the
 * entity persists the batch before anything is acted upon.
 */
final class TurnPlanner {

  private final SessionRuntime runtime;
  private final SessionValidation validation;

  TurnPlanner(SessionRuntime runtime) {
    this.runtime = runtime;
    this.validation = new SessionValidation(runtime.settings());
  }

  /** Starts the oldest queued turn when none runs and the session is open. */
  void startNextTurn(EventBatch b, Instant now) {
    SessionState s = b.state();
    if (s.closed() || s.suspended() || s.activeTurn().isPresent()) {
      return;
    }
    s.nextQueuedTurn()
        .ifPresent(
            next -> {
              b.add(new TurnStarted(next.id(), now));
              if (tokensExhausted(b.state())) {
                b.add(
                    new TurnFailed(
                        next.id(),
                        "token_budget_exhausted",
                        "the session has spent its token budget",
                        now));
                startNextTurn(b, now);
              }
            });
  }

  boolean tokensExhausted(SessionState s) {
    long max = s.agent().limits().maxSessionTokens();
    return max > 0 && s.tokensUsed() >= max;
  }

  void onModelReply(EventBatch b, Turn turn, int step, ModelReply reply, Instant now) {
    // Every call needs an id of its own to get exactly one outcome: a missing or repeated id
    // (some models send them) is replaced by one made from the step and position.
    java.util.Set<String> seen = new java.util.HashSet<>();
    List<TranscriptEntry.ToolCall> calls = new java.util.ArrayList<>();
    for (int i = 0; i < reply.toolCalls().size(); i++) {
      io.agentruntime.runtime.model.ToolCall c = reply.toolCalls().get(i);
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
    b.add(
        new AssistantReplied(
            turn.id(), step, text, calls, reply.inputTokens(), reply.outputTokens(), now));
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
    } else if (tokensExhausted(b.state())) {
      calls.forEach(
          c ->
              b.add(
                  new ToolCallCancelled(
                      turn.id(), c.id(), "the session spent its token budget", now)));
      b.add(
          new TurnFailed(
              turn.id(), "token_budget_exhausted", "the session has spent its token budget", now));
      startNextTurn(b, now);
    } else {
      calls.forEach(c -> decide(b, turn.id(), c, now));
    }
  }

  /** The runtime, not the model, decides whether a call runs: deny, ask or allow. */
  private void decide(EventBatch b, String turnId, TranscriptEntry.ToolCall call, Instant now) {
    SessionState s = b.state();
    Optional<ToolCatalog.Target> target = ToolCatalog.resolve(s, call.name());
    Permission permission = s.permissions().decide(call.name());
    if (target.isEmpty()) {
      b.add(
          new ToolCallFailed(
              turnId,
              call.id(),
              "unknown_tool",
              "this session has no tool named " + call.name(),
              now));
    } else if (permission == Permission.DENY) {
      b.add(
          new ToolCallRejected(
              turnId, call.id(), "the session's policy denies " + call.name(), now));
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
              now.plus(runtime.turns().approvalTimeout()),
              now));
    } else {
      execute(b, turnId, call.id(), target.get(), call.arguments(), now);
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
    if (!target.builtIn()) {
      b.add(
          new ToolCallStarted(turnId, callId, target.exposedName(), args, Ids.newId("idem_"), now));
      return;
    }
    SessionState s = b.state();
    String key = args.path("key").asText("");
    switch (target.exposedName()) {
      case ToolCatalog.MEMORY_READ ->
          b.add(
              new ToolCallSucceeded(
                  turnId,
                  callId,
                  s.memory().getOrDefault(key, JsonNodeFactory.instance.nullNode()),
                  now));
      case ToolCatalog.MEMORY_DELETE -> {
        if (s.memory().containsKey(key)) {
          b.add(new MemoryDeleted(key, "agent", now));
        }
        b.add(
            new ToolCallSucceeded(
                turnId, callId, JsonNodeFactory.instance.objectNode().put("deleted", key), now));
      }
      default -> {
        JsonNode value = args.get("value");
        Optional<Problem> problem =
            validation
                .memoryEntry(key, value, "memory.")
                .or(
                    () ->
                        !s.memory().containsKey(key)
                                && s.memory().size() >= runtime.settings().maxMemoryEntries()
                            ? Optional.of(Problem.tooLarge("memory", "memory is full"))
                            : Optional.empty());
        if (problem.isPresent()) {
          b.add(
              new ToolCallFailed(
                  turnId, callId, "invalid_arguments", problem.get().message(), now));
        } else {
          b.add(new MemoryWritten(key, value, "agent", now));
          b.add(
              new ToolCallSucceeded(
                  turnId, callId, JsonNodeFactory.instance.objectNode().put("written", key), now));
        }
      }
    }
  }

  /** The one outcome of a call that ran, bounded in size. */
  void finishTool(EventBatch b, PendingCall call, ToolResult result, Instant now) {
    if (result instanceof ToolResult.Succeeded ok) {
      int size =
          ok.result() == null ? 4 : ok.result().toString().getBytes(StandardCharsets.UTF_8).length;
      if (size > runtime.turns().maxToolResultBytes()) {
        b.add(
            new ToolCallFailed(
                call.turnId(),
                call.toolCallId(),
                "tool_result_too_large",
                "the result has "
                    + size
                    + " bytes, over the limit of "
                    + runtime.turns().maxToolResultBytes(),
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

  /** Ends a running turn: every open call gets a cancellation outcome first. */
  void endTurn(
      EventBatch b,
      Turn turn,
      boolean cancelled,
      String code,
      String message,
      String by,
      Instant now) {
    for (PendingCall call : b.state().pendingCallsOf(turn.id())) {
      b.add(new ToolCallCancelled(turn.id(), call.toolCallId(), message, now));
    }
    b.add(
        cancelled
            ? new TurnCancelled(turn.id(), message, by, now)
            : new TurnFailed(turn.id(), code, message, now));
  }

  /** Applies a human's decision; empty when it was applied, else why it was refused. */
  Optional<Problem> decide(
      EventBatch b,
      Approval a,
      String decision,
      String comment,
      JsonNode result,
      String by,
      Instant now) {
    PendingCall call = b.state().pendingCall(a.turnId(), a.toolCallId()).orElse(null);
    if (call == null) {
      return Optional.of(
          Problem.conflict("approval_decided", "the call of this approval has already ended"));
    }
    if (Approval.POLICY.equals(a.reason())) {
      switch (decision) {
        case "approve" -> {
          b.add(new ApprovalGranted(a.id(), by, comment, now));
          Optional<ToolCatalog.Target> target = ToolCatalog.resolve(b.state(), a.tool());
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
          b.add(new InDoubtResolved(a.id(), decision, by, comment, now));
          b.add(
              new ToolCallStarted(
                  a.turnId(),
                  a.toolCallId(),
                  call.tool(),
                  call.arguments(),
                  call.idempotencyKey(),
                  now));
        }
        case "fail" -> {
          b.add(new InDoubtResolved(a.id(), decision, by, comment, now));
          b.add(
              new ToolCallFailed(
                  a.turnId(),
                  a.toolCallId(),
                  "in_doubt",
                  "failed by " + by + " after a crash left the outcome unknown",
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

  /** Nobody decided in time: denied, or for an in-doubt call, failed. */
  void expire(EventBatch b, Approval a, Instant now) {
    b.add(new ApprovalExpired(a.id(), now));
    if (Approval.POLICY.equals(a.reason())) {
      b.add(
          new ToolCallRejected(
              a.turnId(), a.toolCallId(), "the approval expired at " + a.expiresAt(), now));
    } else {
      b.add(
          new ToolCallFailed(
              a.turnId(),
              a.toolCallId(),
              "in_doubt_expired",
              "nobody resolved the in-doubt call by " + a.expiresAt(),
              now));
    }
  }

  /** A call of a tool with side effects outlived a crash: a human must say what happened. */
  void markInDoubt(EventBatch b, PendingCall call, Instant now) {
    b.add(
        new ToolCallInDoubt(
            call.turnId(),
            call.toolCallId(),
            Ids.newId("appr_"),
            now.plus(runtime.turns().approvalTimeout()),
            now));
  }
}
