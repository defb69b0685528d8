package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.session.SessionEvent.*;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.pcollections.HashPMap;
import org.pcollections.HashTreePMap;
import org.pcollections.OrderedPMap;
import org.pcollections.PMap;
import org.pcollections.TreePMap;

/**
 * Everything a session knows, folded from its events. Immutable: a snapshot may be serialized while
 * the entity goes on. {@code owner} is null until the session is created. {@code lastSeq} counts
 * the events folded so far, which is the journal sequence number of the last one. {@code
 * pendingCalls} are keyed by turn id and tool call id; {@code approvals} keep decided ones too, so
 * that a second decision is refused. {@code suspendedAt} is when an operator suspended the session
 * (null unless suspended); an {@code erased} state holds nothing but its sequence number.
 *
 * <p>Its collections are persistent (decision 0050): folding an event changes what it touches in
 * O(log n) and shares everything else with the state before, so neither a live event nor replay
 * costs a copy of the history. Whatever collections the constructor is given, it keeps its own.
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
    transcript = Transcript.of(transcript);
    turns = TurnList.of(turns);
    turnIdsByIdempotencyKey = hashed(turnIdsByIdempotencyKey);
    pendingCalls = ordered(pendingCalls);
    approvals = ordered(approvals);
  }

  public SessionState(
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
      Usage usage) {
    this(
        owner,
        createdWith,
        agent,
        memory,
        tools,
        permissions,
        metadata,
        closed,
        createdAt,
        updatedAt,
        lastSeq,
        transcript,
        turns,
        turnIdsByIdempotencyKey,
        usage,
        Map.of(),
        Map.of(),
        null,
        false);
  }

  private static final SessionState EMPTY =
      new SessionState(
          null,
          null,
          null,
          Map.of(),
          Map.of(),
          PermissionPolicy.empty(),
          Map.of(),
          false,
          null,
          null,
          0,
          List.of(),
          List.of(),
          Map.of(),
          Usage.NONE);

  /** The state before the first event; one for all sessions, as it is immutable. */
  public static SessionState empty() {
    return EMPTY;
  }

  public boolean exists() {
    return owner != null;
  }

  public SessionPhase phase() {
    if (erased) {
      return SessionPhase.ERASED;
    }
    if (owner == null) {
      return SessionPhase.NEW;
    }
    return closed ? SessionPhase.CLOSED : SessionPhase.OPEN;
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
        .map(
            t ->
                t.status() == TurnStatus.AWAITING_APPROVAL
                    ? SessionStatus.AWAITING_APPROVAL
                    : SessionStatus.RUNNING)
        .orElse(SessionStatus.IDLE);
  }

  /** The oldest turn that has not ended: the one running, or the next to run. */
  public Optional<Turn> currentTurn() {
    return open().stream().filter(t -> !t.status().terminal()).findFirst();
  }

  /** The turn that runs now (running or waiting for a human), if any. */
  public Optional<Turn> activeTurn() {
    return open().stream().filter(Turn::active).findFirst();
  }

  /** The oldest queued turn, the next to start. */
  public Optional<Turn> nextQueuedTurn() {
    return open().stream().filter(t -> t.status() == TurnStatus.QUEUED).findFirst();
  }

  public List<Turn> unfinishedTurns() {
    return open().stream().filter(t -> !t.status().terminal()).toList();
  }

  public long queuedMessages() {
    return open().stream().filter(t -> t.status() == TurnStatus.QUEUED).count();
  }

  public Optional<Turn> turn(String turnId) {
    return ((TurnList) turns).find(turnId);
  }

  /** The turns from the oldest that has not ended: all that have not ended are among them. */
  private List<Turn> open() {
    return ((TurnList) turns).fromFirstOpen();
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
      return new SessionState(
          null,
          null,
          null,
          Map.of(),
          Map.of(),
          PermissionPolicy.empty(),
          Map.of(),
          false,
          null,
          event.at(),
          Math.max(seq, e.seq()),
          List.of(),
          List.of(),
          Map.of(),
          Usage.NONE,
          Map.of(),
          Map.of(),
          null,
          true);
    }
    return edit(
        d -> {
          fold(d, event, seq);
          d.lastSeq = seq;
          if (!(event instanceof SessionEvent.SessionPassivating)) {
            d.updatedAt = event.at();
          }
        });
  }

  private void fold(Draft d, SessionEvent event, long seq) {
    if (event instanceof SessionCreated e) {
      d.owner = e.owner();
      d.createdWith = e.spec();
      d.agent = e.spec().agent();
      d.memory = d.memory.plusAll(e.spec().memory());
      for (ToolConnection t : e.spec().tools()) {
        d.tools = d.tools.plus(t.name(), t);
      }
      d.permissions = e.spec().permissions();
      d.metadata = d.metadata.plusAll(e.spec().metadata());
      d.createdAt = e.at();
    } else if (event instanceof SessionClosed) {
      d.closed = true;
    } else if (event instanceof SessionSuspended e) {
      d.suspendedAt = d.suspendedAt == null ? e.at() : d.suspendedAt;
    } else if (event instanceof SessionResumed e) {
      if (d.suspendedAt != null) {
        Duration paused = Duration.between(d.suspendedAt, e.at());
        d.turns =
            d.turns.updateOpen(t -> t.status() == TurnStatus.RUNNING ? t.extended(paused) : t);
      }
      d.suspendedAt = null;
    } else if (event instanceof MemoryWritten e) {
      d.memory = d.memory.plus(e.key(), e.value());
    } else if (event instanceof MemoryDeleted e) {
      d.memory = d.memory.minus(e.key());
    } else if (event instanceof ToolConnected e) {
      d.tools = d.tools.plus(e.tool().name(), e.tool());
    } else if (event instanceof ToolDisconnected e) {
      d.tools = d.tools.minus(e.name());
    } else if (event instanceof PermissionsChanged e) {
      d.permissions = e.permissions();
    } else if (event instanceof UserMessageAccepted e) {
      d.transcript = d.transcript.plus(TranscriptEntry.user(seq, e.turnId(), e.content()));
      d.turns = d.turns.plus(Turn.queued(e.turnId(), e.at()));
      if (e.idempotencyKey() != null) {
        d.idempotencyKeys = d.idempotencyKeys.plus(e.idempotencyKey(), e.turnId());
      }
    } else if (event instanceof TurnStarted e) {
      Duration budget = Duration.ofSeconds(agent.limits().maxTurnSeconds());
      d.turn(e.turnId(), t -> t.started(e.at(), budget));
    } else if (event instanceof AssistantReplied e) {
      d.transcript =
          d.transcript.plus(TranscriptEntry.assistant(seq, e.turnId(), e.text(), e.toolCalls()));
      d.turn(e.turnId(), t -> t.stepped(e.step(), e.at()));
      d.usage =
          new Usage(
              d.usage.inputTokens() + e.inputTokens(), d.usage.outputTokens() + e.outputTokens());
    } else if (event instanceof ApprovalRequested e) {
      d.approvals =
          d.approvals.plus(
              e.approvalId(),
              new Approval(
                  e.approvalId(),
                  e.turnId(),
                  e.toolCallId(),
                  e.tool(),
                  e.arguments(),
                  Approval.POLICY,
                  e.at(),
                  e.expiresAt(),
                  Approval.PENDING,
                  null));
      d.pendingCalls =
          d.pendingCalls.plus(
              callKey(e.turnId(), e.toolCallId()),
              new PendingCall(
                  e.turnId(),
                  e.toolCallId(),
                  e.tool(),
                  e.arguments(),
                  PendingCall.Stage.AWAITING_APPROVAL,
                  null,
                  e.approvalId()));
      d.turn(e.turnId(), t -> t.paused(e.at()));
    } else if (event instanceof ToolCallStarted e) {
      d.pendingCalls =
          d.pendingCalls.plus(
              callKey(e.turnId(), e.toolCallId()),
              new PendingCall(
                  e.turnId(),
                  e.toolCallId(),
                  e.tool(),
                  e.arguments(),
                  PendingCall.Stage.RUNNING,
                  e.idempotencyKey(),
                  null));
    } else if (event instanceof ToolCallInDoubt e) {
      String key = callKey(e.turnId(), e.toolCallId());
      PendingCall call = d.pendingCalls.get(key);
      if (call != null) {
        d.pendingCalls =
            d.pendingCalls.plus(
                key, call.at(PendingCall.Stage.IN_DOUBT, call.idempotencyKey(), e.approvalId()));
        d.approvals =
            d.approvals.plus(
                e.approvalId(),
                new Approval(
                    e.approvalId(),
                    e.turnId(),
                    e.toolCallId(),
                    call.tool(),
                    call.arguments(),
                    Approval.IN_DOUBT,
                    e.at(),
                    e.expiresAt(),
                    Approval.PENDING,
                    null));
        d.transcript =
            d.transcript.plus(
                TranscriptEntry.tool(
                    seq,
                    e.turnId(),
                    e.toolCallId(),
                    "the outcome of this call is unknown",
                    Transcript.IN_DOUBT));
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
      d.outcome(
          seq,
          e.turnId(),
          e.toolCallId(),
          e.result() == null ? "null" : e.result().toString(),
          "succeeded");
    } else if (event instanceof ToolCallFailed e) {
      d.outcome(
          seq, e.turnId(), e.toolCallId(), "error (" + e.code() + "): " + e.message(), "failed");
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

  /**
   * The parts of the state while one event is folded; each collection is persistent, so nothing is
   * copied.
   */
  private static final class Draft {
    Owner owner;
    SessionSpec createdWith;
    AgentDefinition agent;
    PMap<String, JsonNode> memory;
    PMap<String, ToolConnection> tools;
    PermissionPolicy permissions;
    PMap<String, String> metadata;
    boolean closed;
    Instant createdAt;
    Instant updatedAt;
    long lastSeq;
    Transcript transcript;
    TurnList turns;
    PMap<String, String> idempotencyKeys;
    Usage usage;
    PMap<String, PendingCall> pendingCalls;
    PMap<String, Approval> approvals;
    Instant suspendedAt;

    Draft(SessionState s) {
      owner = s.owner;
      createdWith = s.createdWith;
      agent = s.agent;
      memory = (PMap<String, JsonNode>) s.memory;
      tools = (PMap<String, ToolConnection>) s.tools;
      permissions = s.permissions;
      metadata = (PMap<String, String>) s.metadata;
      closed = s.closed;
      createdAt = s.createdAt;
      updatedAt = s.updatedAt;
      lastSeq = s.lastSeq;
      transcript = (Transcript) s.transcript;
      turns = (TurnList) s.turns;
      idempotencyKeys = (PMap<String, String>) s.turnIdsByIdempotencyKey;
      usage = s.usage;
      pendingCalls = (PMap<String, PendingCall>) s.pendingCalls;
      approvals = (PMap<String, Approval>) s.approvals;
      suspendedAt = s.suspendedAt;
    }

    void turn(String turnId, UnaryOperator<Turn> change) {
      turns = turns.update(turnId, change);
    }

    void decide(String approvalId, String outcome, String by, Instant at) {
      Approval approval = approvals.get(approvalId);
      if (approval == null) {
        return;
      }
      approvals = approvals.plus(approvalId, approval.decided(outcome, by));
      boolean stillWaiting =
          approvals.values().stream()
              .anyMatch(a -> a.pending() && a.turnId().equals(approval.turnId()));
      if (!stillWaiting) {
        turn(
            approval.turnId(), t -> t.status() == TurnStatus.AWAITING_APPROVAL ? t.resumed(at) : t);
      }
    }

    /** The call's one outcome: it leaves the pending calls and enters the transcript. */
    void outcome(long seq, String turnId, String toolCallId, String content, String outcome) {
      pendingCalls = pendingCalls.minus(callKey(turnId, toolCallId));
      transcript =
          transcript
              .withoutPlaceholder(turnId, toolCallId)
              .plus(TranscriptEntry.tool(seq, turnId, toolCallId, content, outcome));
    }

    /** A turn that ended leaves no approval open. */
    void endTurn(String turnId, Instant at) {
      for (Approval a : approvals.values()) {
        if (a.pending() && a.turnId().equals(turnId)) {
          approvals = approvals.plus(a.id(), a.decided("withdrawn", null));
        }
      }
      for (Map.Entry<String, PendingCall> call : pendingCalls.entrySet()) {
        if (call.getValue().turnId().equals(turnId)) {
          pendingCalls = pendingCalls.minus(call.getKey());
        }
      }
    }

    SessionState build() {
      return new SessionState(
          owner,
          createdWith,
          agent,
          memory,
          tools,
          permissions,
          metadata,
          closed,
          createdAt,
          updatedAt,
          lastSeq,
          transcript,
          turns,
          idempotencyKeys,
          usage,
          pendingCalls,
          approvals,
          suspendedAt,
          false);
    }
  }

  // Empty maps are shared: most sessions have no metadata, pending calls or approvals, and an
  // idle session's heap is mostly its state (decision 0011). (Constants of EmptyMaps, so that
  // they exist before this record's own EMPTY is made.)
  @SuppressWarnings("unchecked")
  private static <V> Map<String, V> sorted(Map<String, V> map) {
    if (map.isEmpty()) {
      return (Map<String, V>) EmptyMaps.SORTED;
    }
    return map instanceof TreePMap<String, V> kept ? kept : TreePMap.from(map);
  }

  @SuppressWarnings("unchecked")
  private static <V> Map<String, V> ordered(Map<String, V> map) {
    if (map == null || map.isEmpty()) {
      return (Map<String, V>) EmptyMaps.ORDERED;
    }
    return map instanceof OrderedPMap<String, V> kept ? kept : OrderedPMap.from(map);
  }

  @SuppressWarnings("unchecked")
  private static <V> Map<String, V> hashed(Map<String, V> map) {
    if (map.isEmpty()) {
      return (Map<String, V>) EmptyMaps.HASHED;
    }
    return map instanceof HashPMap<String, V> kept ? kept : HashTreePMap.from(map);
  }

  private static final class EmptyMaps {
    static final TreePMap<String, ?> SORTED = TreePMap.empty();
    static final OrderedPMap<String, ?> ORDERED = OrderedPMap.empty();
    static final HashPMap<String, ?> HASHED = HashTreePMap.empty();
  }
}
