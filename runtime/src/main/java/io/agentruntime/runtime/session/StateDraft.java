package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Instant;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.pcollections.HashPMap;
import org.pcollections.HashTreePMap;
import org.pcollections.OrderedPMap;
import org.pcollections.PMap;
import org.pcollections.TreePMap;

/**
 * The parts of a {@link SessionState} while one event is folded into it; each collection is
 * persistent, so nothing is copied (decision 0050). Also the state's choice of collections.
 */
final class StateDraft {
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
  PMap<String, String> requestKeys;

  StateDraft(SessionState s) {
    owner = s.owner();
    createdWith = s.createdWith();
    agent = s.agent();
    memory = (PMap<String, JsonNode>) s.memory();
    tools = (PMap<String, ToolConnection>) s.tools();
    permissions = s.permissions();
    metadata = (PMap<String, String>) s.metadata();
    closed = s.closed();
    createdAt = s.createdAt();
    updatedAt = s.updatedAt();
    lastSeq = s.lastSeq();
    transcript = (Transcript) s.transcript();
    turns = (TurnList) s.turns();
    idempotencyKeys = (PMap<String, String>) s.turnIdsByIdempotencyKey();
    usage = s.usage();
    pendingCalls = (PMap<String, PendingCall>) s.pendingCalls();
    approvals = (PMap<String, Approval>) s.approvals();
    suspendedAt = s.suspendedAt();
    requestKeys = (PMap<String, String>) s.requestKeys();
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
      // No human is asked any more: the turn runs again, or waits on for the client's results.
      turn(
          approval.turnId(),
          t ->
              t.status() != TurnStatus.AWAITING_APPROVAL
                  ? t
                  : t.clientCalls().isEmpty() || t.toldToEnd()
                      ? t.resumed(at)
                      : t.waitingForClient());
    }
  }

  /** The call's one outcome: it leaves the pending calls and enters the transcript. */
  void outcome(
      long seq, String turnId, String toolCallId, String content, String outcome, Instant at) {
    String key = SessionState.callKey(turnId, toolCallId);
    PendingCall ended = pendingCalls.get(key);
    pendingCalls = pendingCalls.minus(key);
    if (ended != null && ended.stage() == PendingCall.Stage.AWAITING_CLIENT) {
      // A client's call that ends: the turn runs again once it waits for no other.
      turn(
          turnId,
          t -> {
            Turn after = t.clientCallEnded(toolCallId);
            return after.status() == TurnStatus.WAITING && after.clientCalls().isEmpty()
                ? after.resumed(at)
                : after;
          });
    }
    transcript =
        transcript
            .withoutPlaceholder(turnId, toolCallId)
            .plus(TranscriptEntry.tool(seq, turnId, toolCallId, content, outcome));
  }

  /**
   * A turn told to end asks nobody whether its calls may run any more: its policy (and rate limit)
   * approvals are withdrawn (their calls were cancelled with it); its in-doubt questions stay.
   */
  void withdrawPolicyApprovals(String turnId) {
    for (Approval a : approvals.values()) {
      if (a.pending() && a.turnId().equals(turnId) && a.asksToRun()) {
        approvals = approvals.plus(a.id(), a.decided("withdrawn", null));
      }
    }
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
        false,
        requestKeys);
  }

  // Empty maps are shared: most sessions have no metadata, pending calls or approvals, and an
  // idle session's heap is mostly its state (decision 0011). (Constants of EmptyMaps, so that
  // they exist before SessionState's own EMPTY is made.)
  @SuppressWarnings("unchecked")
  static <V> Map<String, V> sorted(Map<String, V> map) {
    if (map.isEmpty()) {
      return (Map<String, V>) EmptyMaps.SORTED;
    }
    return map instanceof TreePMap<String, V> kept ? kept : TreePMap.from(map);
  }

  @SuppressWarnings("unchecked")
  static <V> Map<String, V> ordered(Map<String, V> map) {
    if (map == null || map.isEmpty()) {
      return (Map<String, V>) EmptyMaps.ORDERED;
    }
    return map instanceof OrderedPMap<String, V> kept ? kept : OrderedPMap.from(map);
  }

  @SuppressWarnings("unchecked")
  static <V> Map<String, V> hashed(Map<String, V> map) {
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
