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

/**
 * Everything a session knows, folded from its events. Immutable: a snapshot may be serialized while
 * the entity goes on. {@code owner} is null until the session is created. {@code lastSeq} counts
 * the events folded so far, which is the journal sequence number of the last one. {@code
 * pendingCalls} are keyed by turn id and tool call id; {@code approvals} keep decided ones too, so
 * that a second decision is refused. {@code suspendedAt} is when an operator suspended the session
 * (null unless suspended); an {@code erased} state holds nothing but its sequence number. {@code
 * requestKeys} are the idempotency keys of the latest writes, oldest first, each with the
 * fingerprint of what it asked ({@link RequestKeys}).
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
    boolean erased,
    Map<String, String> requestKeys)
    implements CborSerializable {

  public SessionState {
    memory = StateDraft.sorted(memory);
    tools = StateDraft.sorted(tools);
    metadata = StateDraft.sorted(metadata);
    transcript = Transcript.of(transcript);
    turns = TurnList.of(turns);
    turnIdsByIdempotencyKey = StateDraft.hashed(turnIdsByIdempotencyKey);
    pendingCalls = StateDraft.ordered(pendingCalls);
    approvals = StateDraft.ordered(approvals);
    requestKeys = StateDraft.ordered(requestKeys);
  }

  /**
   * As the canonical constructor, without idempotency keys of writes (a state or snapshot written
   * before they were kept).
   */
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
      Usage usage,
      Map<String, PendingCall> pendingCalls,
      Map<String, Approval> approvals,
      Instant suspendedAt,
      boolean erased) {
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
        pendingCalls,
        approvals,
        suspendedAt,
        erased,
        Map.of());
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
                switch (t.status()) {
                  case AWAITING_APPROVAL -> SessionStatus.AWAITING_APPROVAL;
                  case WAITING -> SessionStatus.AWAITING_CLIENT;
                  default -> SessionStatus.RUNNING;
                })
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

  /**
   * Whether a turn has not ended (it runs, waits or is queued): work that a crash must not lose,
   * which keeps the session in memory and makes a restart wake it first (decision 0068).
   */
  public boolean workInFlight() {
    return currentTurn().isPresent();
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

  /** What the write that used idempotency key {@code key} asked for (its fingerprint), if kept. */
  public Optional<String> requestForIdempotencyKey(String key) {
    return Optional.ofNullable(requestKeys.get(key));
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

  /** The function calls that wait for the client's results, oldest first (decision 0023). */
  public List<ClientCall> pendingClientCalls() {
    return pendingCalls.values().stream()
        .filter(c -> c.stage() == PendingCall.Stage.AWAITING_CLIENT)
        .map(ClientCall::of)
        .toList();
  }

  public List<Approval> pendingApprovals() {
    return approvals.values().stream().filter(Approval::pending).toList();
  }

  public Optional<Approval> approval(String approvalId) {
    return Optional.ofNullable(approvals.get(approvalId));
  }

  /** The running turn is waiting for the model: nothing of its current step is outstanding. */
  public boolean awaitsModel(Turn turn) {
    return turn.status() == TurnStatus.RUNNING
        && !turn.toldToEnd()
        && pendingCallsOf(turn.id()).isEmpty();
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

  private void fold(StateDraft d, SessionEvent event, long seq) {
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
    } else if (event instanceof SessionEvent.SessionUpdated e) {
      if (e.agent() != null) {
        d.agent = e.agent();
      }
      if (e.metadata() != null) {
        d.metadata = (org.pcollections.PMap<String, String>) StateDraft.sorted(e.metadata());
      }
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
      d.usage = d.usage.plus(e.inputTokens(), e.outputTokens(), e.costUsd());
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
                  e.rateLimit() != null ? Approval.RATE_LIMIT : Approval.POLICY,
                  e.at(),
                  e.expiresAt(),
                  Approval.PENDING,
                  null,
                  e.definition(),
                  e.onExpiry(),
                  e.rateLimit()));
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
                  e.approvalId(),
                  e.definition()));
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
                  null,
                  e.definition()));
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
                    null,
                    call.definition(),
                    e.onExpiry(),
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
    } else if (event instanceof TurnEnding e) {
      d.turn(e.turnId(), t -> t.ending(new TurnError(e.code(), e.reason()), e.at()));
      d.withdrawPolicyApprovals(e.turnId());
    } else if (event instanceof BudgetExceeded e) {
      d.approvals =
          d.approvals.plus(
              e.approvalId(),
              new Approval(
                  e.approvalId(),
                  e.turnId(),
                  null,
                  null,
                  Budgets.question(e),
                  Approval.BUDGET,
                  e.at(),
                  e.expiresAt(),
                  Approval.PENDING,
                  null,
                  null,
                  null,
                  null));
      d.turn(e.turnId(), t -> t.paused(e.at()));
    } else if (event instanceof BudgetRaised e) {
      d.agent =
          d.agent.withLimits(
              e.raisedCost()
                  ? d.agent.limits().withMaxSessionCost(e.maxSessionCost())
                  : d.agent.limits().withMaxSessionTokens(e.maxSessionTokens()));
      d.decide(e.approvalId(), "granted", e.by(), e.at());
    } else if (event instanceof ApprovalGranted e) {
      d.decide(e.approvalId(), "granted", e.by(), e.at());
    } else if (event instanceof ApprovalDenied e) {
      d.decide(e.approvalId(), "denied", e.by(), e.at());
    } else if (event instanceof ApprovalWithdrawn e) {
      d.decide(e.approvalId(), "withdrawn", e.by(), e.at());
    } else if (event instanceof ApprovalExpired e) {
      d.decide(e.approvalId(), Approval.EXPIRED, null, e.at());
    } else if (event instanceof InDoubtResolved e) {
      d.decide(e.approvalId(), "resolved:" + e.decision(), e.by(), e.at());
    } else if (event instanceof ToolCallSucceeded e) {
      d.outcome(
          seq,
          e.turnId(),
          e.toolCallId(),
          e.result() == null ? "null" : e.result().toString(),
          e.outcome(),
          e.at());
    } else if (event instanceof ToolCallFailed e) {
      d.outcome(
          seq,
          e.turnId(),
          e.toolCallId(),
          "error (" + e.code() + "): " + e.message(),
          e.outcome(),
          e.at());
    } else if (event instanceof ToolCallRejected e) {
      d.outcome(seq, e.turnId(), e.toolCallId(), "rejected: " + e.reason(), e.outcome(), e.at());
    } else if (event instanceof ToolCallCancelled e) {
      d.outcome(seq, e.turnId(), e.toolCallId(), "cancelled: " + e.reason(), e.outcome(), e.at());
    } else if (event instanceof TurnCompleted e) {
      d.turn(e.turnId(), t -> t.completed(e.output(), e.at()));
    } else if (event instanceof TurnFailed e) {
      d.turn(e.turnId(), t -> t.failed(new TurnError(e.code(), e.message()), e.at()));
      d.endTurn(e.turnId(), e.at());
    } else if (event instanceof ClientToolCallRequested e) {
      PendingCall call =
          new PendingCall(
              e.turnId(),
              e.toolCallId(),
              e.tool(),
              e.arguments(),
              PendingCall.Stage.AWAITING_CLIENT,
              null,
              null,
              null,
              e.expiresAt());
      d.pendingCalls = d.pendingCalls.plus(callKey(e.turnId(), e.toolCallId()), call);
      d.turn(e.turnId(), t -> t.awaitingClient(ClientCall.of(call), e.at()));
    } else if (event instanceof UserMessageSteered e) {
      d.transcript = d.transcript.plus(TranscriptEntry.steered(seq, e.turnId(), e.content()));
      if (e.idempotencyKey() != null) {
        d.idempotencyKeys = d.idempotencyKeys.plus(e.idempotencyKey(), e.turnId());
      }
    } else if (event instanceof TurnCancelled e) {
      d.turn(e.turnId(), t -> t.cancelled(new TurnError("cancelled", e.reason()), e.at()));
      d.endTurn(e.turnId(), e.at());
    } else if (event instanceof IdempotencyKeyRecorded e) {
      d.requestKeys = RequestKeys.remember(d.requestKeys, e.key(), e.fingerprint());
    } else if (event instanceof SessionPassivating) {
      // Bookkeeping of the entity (decision 0051): the session itself does not change.
    } else {
      // Java 17 has no exhaustive switch over a sealed type: a new event type that is not folded
      // here fails SessionStateTest's fold of every event type, rather than replaying as nothing.
      throw new IllegalStateException("an event the session cannot fold: " + event);
    }
  }

  private SessionState edit(Consumer<StateDraft> change) {
    StateDraft d = new StateDraft(this);
    change.accept(d);
    return d.build();
  }
}
