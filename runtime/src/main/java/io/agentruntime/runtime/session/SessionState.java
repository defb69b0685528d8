package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.session.SessionEvent.*;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Everything a session knows, folded from its events. Immutable: a snapshot may be serialized
 * while the entity goes on. {@code owner} is null until the session is created. {@code lastSeq}
 * counts the events folded so far, which is the journal sequence number of the last one.
 * {@code pendingCalls} are keyed by turn id and tool call id; {@code approvals} keep decided ones
 * too, so that a second decision is refused. {@code suspendedAt} is when an operator suspended
 * the session (null unless suspended); an {@code erased} state holds nothing but its sequence number.
 */
public record SessionState(
    Owner owner,
    SessionSpec createdWith,
    AgentDefinition agent,
    Map<String, JsonNode> memory,
    Map<String, ToolConnection> tools,
    PermissionPolicy permissions,
    Map<String, String> metadata,
    boolean closed,
    Instant createdAt,
    Instant updatedAt,
    long lastSeq,
    List<TranscriptEntry> transcript,
    List<Turn> turns,
    Map<String, String> turnIdsByIdempotencyKey,
    Usage usage,
    Map<String, PendingCall> pendingCalls,
    Map<String, Approval> approvals,
    Instant suspendedAt,
    boolean erased)
    implements CborSerializable {

  public SessionState {
    memory = sorted(memory);
    tools = sorted(tools);
    metadata = sorted(metadata);
    transcript = List.copyOf(transcript);
    turns = List.copyOf(turns);
    turnIdsByIdempotencyKey = turnIdsByIdempotencyKey.isEmpty()
        ? Collections.emptyMap()
        : Collections.unmodifiableMap(new HashMap<>(turnIdsByIdempotencyKey));
    pendingCalls = ordered(pendingCalls);
    approvals = ordered(approvals);
  }

  public SessionState(
      Owner owner, SessionSpec createdWith, AgentDefinition agent, Map<String, JsonNode> memory,
      Map<String, ToolConnection> tools, PermissionPolicy permissions, Map<String, String> metadata,
      boolean closed, Instant createdAt, Instant updatedAt, long lastSeq, List<TranscriptEntry> transcript,
      List<Turn> turns, Map<String, String> turnIdsByIdempotencyKey, Usage usage) {
    this(owner, createdWith, agent, memory, tools, permissions, metadata, closed, createdAt, updatedAt,
        lastSeq, transcript, turns, turnIdsByIdempotencyKey, usage, Map.of(), Map.of(), null, false);
  }

  private static final SessionState EMPTY = new SessionState(
      null, null, null, Map.of(), Map.of(), PermissionPolicy.empty(), Map.of(), false, null,
      null, 0, List.of(), List.of(), Map.of(), Usage.NONE);

  /** The state before the first event; one for all sessions, as it is immutable. */
  public static SessionState empty() {
    return EMPTY;
  }

  public boolean exists() {
    return owner != null;
  }

  public boolean suspended() {
    return suspendedAt != null;
  }

  public SessionStatus status() {
    if (closed) {
      return SessionStatus.CLOSED;
    }
    if (suspended()) {
      return SessionStatus.SUSPENDED;
    }
    return activeTurn()
        .map(t -> t.status() == TurnStatus.AWAITING_APPROVAL ? SessionStatus.AWAITING_APPROVAL : SessionStatus.RUNNING)
        .orElse(SessionStatus.IDLE);
  }

  /** The oldest turn that has not ended: the one running, or the next to run. */
  public Optional<Turn> currentTurn() {
    return turns.stream().filter(t -> !t.status().terminal()).findFirst();
  }

  /** The turn that runs now (running or waiting for a human), if any. */
  public Optional<Turn> activeTurn() {
    return turns.stream().filter(Turn::active).findFirst();
  }

  /** The oldest queued turn, the next to start. */
  public Optional<Turn> nextQueuedTurn() {
    return turns.stream().filter(t -> t.status() == TurnStatus.QUEUED).findFirst();
  }

  public List<Turn> unfinishedTurns() {
    return turns.stream().filter(t -> !t.status().terminal()).toList();
  }

  public long queuedMessages() {
    return turns.stream().filter(t -> t.status() == TurnStatus.QUEUED).count();
  }

  public Optional<Turn> turn(String turnId) {
    return turns.stream().filter(t -> t.id().equals(turnId)).findFirst();
  }

  public Optional<Turn> turnForIdempotencyKey(String key) {
    return Optional.ofNullable(turnIdsByIdempotencyKey.get(key)).flatMap(this::turn);
  }

  public List<PendingCall> pendingCallsOf(String turnId) {
    return pendingCalls.values().stream().filter(c -> c.turnId().equals(turnId)).toList();
  }

  public Optional<PendingCall> pendingCall(String turnId, String toolCallId) {
    return Optional.ofNullable(pendingCalls.get(callKey(turnId, toolCallId)));
  }

  public List<Approval> pendingApprovals() {
    return approvals.values().stream().filter(Approval::pending).toList();
  }

  public Optional<Approval> approval(String approvalId) {
    return Optional.ofNullable(approvals.get(approvalId));
  }

  /** The running turn is waiting for the model: nothing of its current step is outstanding. */
  public boolean awaitsModel(Turn turn) {
    return turn.status() == TurnStatus.RUNNING && pendingCallsOf(turn.id()).isEmpty();
  }

  public long tokensUsed() {
    return usage.inputTokens() + usage.outputTokens();
  }

  static String callKey(String turnId, String toolCallId) {
    return turnId + '/' + toolCallId;
  }

  /** Folds one event in. Never throws: every event that was persisted must replay. */
  public SessionState apply(SessionEvent event) {
    long seq = lastSeq + 1;
    if (event instanceof SessionErased e) {
      return new SessionState(null, null, null, Map.of(), Map.of(), PermissionPolicy.empty(), Map.of(), false, null,
          event.at(), Math.max(seq, e.seq()), List.of(), List.of(), Map.of(), Usage.NONE, Map.of(), Map.of(), null, true);
    }
    return edit(d -> {
      fold(d, event, seq);
      d.lastSeq = seq;
      d.updatedAt = event.at();
    });
  }

  private void fold(Draft d, SessionEvent event, long seq) {
    if (event instanceof SessionCreated e) {
      d.owner = e.owner();
      d.createdWith = e.spec();
      d.agent = e.spec().agent();
      d.memory.putAll(e.spec().memory());
      e.spec().tools().forEach(t -> d.tools.put(t.name(), t));
      d.permissions = e.spec().permissions();
      d.metadata.putAll(e.spec().metadata());
      d.createdAt = e.at();
    } else if (event instanceof SessionClosed) {
      d.closed = true;
    } else if (event instanceof SessionSuspended e) {
      d.suspendedAt = d.suspendedAt == null ? e.at() : d.suspendedAt;
    } else if (event instanceof SessionResumed e) {
      if (d.suspendedAt != null) {
        Duration paused = Duration.between(d.suspendedAt, e.at());
        d.turns.replaceAll(t -> t.status() == TurnStatus.RUNNING ? t.extended(paused) : t);
      }
      d.suspendedAt = null;
    } else if (event instanceof MemoryWritten e) {
      d.memory.put(e.key(), e.value());
    } else if (event instanceof MemoryDeleted e) {
      d.memory.remove(e.key());
    } else if (event instanceof ToolConnected e) {
      d.tools.put(e.tool().name(), e.tool());
    } else if (event instanceof ToolDisconnected e) {
      d.tools.remove(e.name());
    } else if (event instanceof PermissionsChanged e) {
      d.permissions = e.permissions();
    } else if (event instanceof UserMessageAccepted e) {
      d.transcript.add(TranscriptEntry.user(seq, e.turnId(), e.content()));
      d.turns.add(Turn.queued(e.turnId(), e.at()));
      if (e.idempotencyKey() != null) {
        d.idempotencyKeys.put(e.idempotencyKey(), e.turnId());
      }
    } else if (event instanceof TurnStarted e) {
      Duration budget = Duration.ofSeconds(agent.limits().maxTurnSeconds());
      d.turn(e.turnId(), t -> t.started(e.at(), budget));
    } else if (event instanceof AssistantReplied e) {
      d.transcript.add(TranscriptEntry.assistant(seq, e.turnId(), e.text(), e.toolCalls()));
      d.turn(e.turnId(), t -> t.stepped(e.step(), e.at()));
      d.usage = new Usage(d.usage.inputTokens() + e.inputTokens(), d.usage.outputTokens() + e.outputTokens());
    } else if (event instanceof ApprovalRequested e) {
      d.approvals.put(e.approvalId(), new Approval(e.approvalId(), e.turnId(), e.toolCallId(), e.tool(),
          e.arguments(), Approval.POLICY, e.at(), e.expiresAt(), Approval.PENDING, null));
      d.pendingCalls.put(callKey(e.turnId(), e.toolCallId()), new PendingCall(e.turnId(), e.toolCallId(), e.tool(),
          e.arguments(), PendingCall.Stage.AWAITING_APPROVAL, null, e.approvalId()));
      d.turn(e.turnId(), t -> t.paused(e.at()));
    } else if (event instanceof ToolCallStarted e) {
      d.pendingCalls.put(callKey(e.turnId(), e.toolCallId()), new PendingCall(e.turnId(), e.toolCallId(), e.tool(),
          e.arguments(), PendingCall.Stage.RUNNING, e.idempotencyKey(), null));
    } else if (event instanceof ToolCallInDoubt e) {
      String key = callKey(e.turnId(), e.toolCallId());
      PendingCall call = d.pendingCalls.get(key);
      if (call != null) {
        d.pendingCalls.put(key, call.at(PendingCall.Stage.IN_DOUBT, call.idempotencyKey(), e.approvalId()));
        d.approvals.put(e.approvalId(), new Approval(e.approvalId(), e.turnId(), e.toolCallId(), call.tool(),
            call.arguments(), Approval.IN_DOUBT, e.at(), e.expiresAt(), Approval.PENDING, null));
        d.transcript.add(TranscriptEntry.tool(seq, e.turnId(), e.toolCallId(), "the outcome of this call is unknown", "in_doubt"));
      }
      d.turn(e.turnId(), t -> t.paused(e.at()));
    } else if (event instanceof ApprovalGranted e) {
      d.decide(e.approvalId(), "granted", e.by(), e.at());
    } else if (event instanceof ApprovalDenied e) {
      d.decide(e.approvalId(), "denied", e.by(), e.at());
    } else if (event instanceof ApprovalExpired e) {
      d.decide(e.approvalId(), "expired", null, e.at());
    } else if (event instanceof InDoubtResolved e) {
      d.decide(e.approvalId(), "resolved:" + e.decision(), e.by(), e.at());
    } else if (event instanceof ToolCallSucceeded e) {
      d.outcome(seq, e.turnId(), e.toolCallId(), e.result() == null ? "null" : e.result().toString(), "succeeded");
    } else if (event instanceof ToolCallFailed e) {
      d.outcome(seq, e.turnId(), e.toolCallId(), "error (" + e.code() + "): " + e.message(), "failed");
    } else if (event instanceof ToolCallRejected e) {
      d.outcome(seq, e.turnId(), e.toolCallId(), "rejected: " + e.reason(), "rejected");
    } else if (event instanceof ToolCallCancelled e) {
      d.outcome(seq, e.turnId(), e.toolCallId(), "cancelled: " + e.reason(), "cancelled");
    } else if (event instanceof TurnCompleted e) {
      d.turn(e.turnId(), t -> t.completed(e.output(), e.at()));
    } else if (event instanceof TurnFailed e) {
      d.turn(e.turnId(), t -> t.failed(new TurnError(e.code(), e.message()), e.at()));
      d.endTurn(e.turnId(), e.at());
    } else if (event instanceof TurnCancelled e) {
      d.turn(e.turnId(), t -> t.cancelled(new TurnError("cancelled", e.reason()), e.at()));
      d.endTurn(e.turnId(), e.at());
    }
  }

  private SessionState edit(Consumer<Draft> change) {
    Draft d = new Draft(this);
    change.accept(d);
    return d.build();
  }

  /** A mutable copy used only while one event is folded. */
  private static final class Draft {
    Owner owner;
    SessionSpec createdWith;
    AgentDefinition agent;
    final Map<String, JsonNode> memory;
    final Map<String, ToolConnection> tools;
    PermissionPolicy permissions;
    final Map<String, String> metadata;
    boolean closed;
    Instant createdAt;
    Instant updatedAt;
    long lastSeq;
    final List<TranscriptEntry> transcript;
    final List<Turn> turns;
    final Map<String, String> idempotencyKeys;
    Usage usage;
    final Map<String, PendingCall> pendingCalls;
    final Map<String, Approval> approvals;
    Instant suspendedAt;

    Draft(SessionState s) {
      owner = s.owner;
      createdWith = s.createdWith;
      agent = s.agent;
      memory = new TreeMap<>(s.memory);
      tools = new TreeMap<>(s.tools);
      permissions = s.permissions;
      metadata = new TreeMap<>(s.metadata);
      closed = s.closed;
      createdAt = s.createdAt;
      updatedAt = s.updatedAt;
      lastSeq = s.lastSeq;
      transcript = new ArrayList<>(s.transcript);
      turns = new ArrayList<>(s.turns);
      idempotencyKeys = new HashMap<>(s.turnIdsByIdempotencyKey);
      usage = s.usage;
      pendingCalls = new LinkedHashMap<>(s.pendingCalls);
      approvals = new LinkedHashMap<>(s.approvals);
      suspendedAt = s.suspendedAt;
    }

    void turn(String turnId, UnaryOperator<Turn> change) {
      turns.replaceAll(t -> t.id().equals(turnId) ? change.apply(t) : t);
    }

    void decide(String approvalId, String outcome, String by, Instant at) {
      Approval approval = approvals.get(approvalId);
      if (approval == null) {
        return;
      }
      approvals.put(approvalId, approval.decided(outcome, by));
      boolean stillWaiting = approvals.values().stream()
          .anyMatch(a -> a.pending() && a.turnId().equals(approval.turnId()));
      if (!stillWaiting) {
        turn(approval.turnId(), t -> t.status() == TurnStatus.AWAITING_APPROVAL ? t.resumed(at) : t);
      }
    }

    /** The call's one outcome: it leaves the pending calls and enters the transcript. */
    void outcome(long seq, String turnId, String toolCallId, String content, String outcome) {
      pendingCalls.remove(callKey(turnId, toolCallId));
      transcript.removeIf(e -> "in_doubt".equals(e.outcome()) && toolCallId.equals(e.toolCallId()) && turnId.equals(e.turnId()));
      transcript.add(TranscriptEntry.tool(seq, turnId, toolCallId, content, outcome));
    }

    /** A turn that ended leaves no approval open. */
    void endTurn(String turnId, Instant at) {
      approvals.replaceAll((id, a) -> a.pending() && a.turnId().equals(turnId) ? a.decided("withdrawn", null) : a);
      pendingCalls.values().removeIf(c -> c.turnId().equals(turnId));
    }

    SessionState build() {
      return new SessionState(owner, createdWith, agent, memory, tools, permissions, metadata, closed,
          createdAt, updatedAt, lastSeq, transcript, turns, idempotencyKeys, usage, pendingCalls, approvals,
          suspendedAt, false);
    }
  }

  // Empty maps are shared: most sessions have no metadata, pending calls or approvals, and an
  // idle session's heap is mostly its state (decision 0011).
  private static <V> Map<String, V> sorted(Map<String, V> map) {
    return map.isEmpty() ? Collections.emptySortedMap() : Collections.unmodifiableMap(new TreeMap<>(map));
  }

  private static <V> Map<String, V> ordered(Map<String, V> map) {
    return map == null || map.isEmpty() ? Collections.emptyMap() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
