package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.session.SessionEvent.MemoryDeleted;
import io.agentruntime.runtime.session.SessionEvent.MemoryWritten;
import io.agentruntime.runtime.session.SessionEvent.PermissionsChanged;
import io.agentruntime.runtime.session.SessionEvent.SessionClosed;
import io.agentruntime.runtime.session.SessionEvent.SessionCreated;
import io.agentruntime.runtime.session.SessionEvent.ToolConnected;
import io.agentruntime.runtime.session.SessionEvent.ToolDisconnected;
import io.agentruntime.runtime.session.SessionEvent.TurnCancelled;
import io.agentruntime.runtime.session.SessionEvent.UserMessageAccepted;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Everything a session knows, folded from its events. Immutable: a snapshot may be serialized
 * while the entity goes on. {@code owner} is null until the session is created. {@code lastSeq}
 * counts the events folded so far, which is the journal sequence number of the last one.
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
    Usage usage)
    implements CborSerializable {

  public SessionState {
    memory = sorted(memory);
    tools = sorted(tools);
    metadata = sorted(metadata);
    transcript = List.copyOf(transcript);
    turns = List.copyOf(turns);
    turnIdsByIdempotencyKey = Collections.unmodifiableMap(new HashMap<>(turnIdsByIdempotencyKey));
  }

  public static SessionState empty() {
    return new SessionState(
        null, null, null, Map.of(), Map.of(), PermissionPolicy.empty(), Map.of(), false, null,
        null, 0, List.of(), List.of(), Map.of(), Usage.NONE);
  }

  public boolean exists() {
    return owner != null;
  }

  public SessionStatus status() {
    if (closed) {
      return SessionStatus.CLOSED;
    }
    return currentTurn()
        .map(
            t ->
                switch (t.status()) {
                  case RUNNING -> SessionStatus.RUNNING;
                  case AWAITING_APPROVAL -> SessionStatus.AWAITING_APPROVAL;
                  default -> SessionStatus.IDLE;
                })
        .orElse(SessionStatus.IDLE);
  }

  /** The oldest turn that has not ended: the one running, or the next to run. */
  public Optional<Turn> currentTurn() {
    return turns.stream().filter(t -> !t.status().terminal()).findFirst();
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

  /** Folds one event in. Never throws: every event that was persisted must replay. */
  public SessionState apply(SessionEvent event) {
    long seq = lastSeq + 1;
    return fold(event, seq).touched(seq, event.at());
  }

  private SessionState fold(SessionEvent event, long seq) {
    if (event instanceof SessionCreated e) {
      return new SessionState(
          e.owner(), e.spec(), e.spec().agent(), e.spec().memory(), byName(e.spec().tools()),
          e.spec().permissions(), e.spec().metadata(), false, e.at(), e.at(), seq, transcript,
          turns, turnIdsByIdempotencyKey, usage);
    } else if (event instanceof SessionClosed) {
      return withClosed();
    } else if (event instanceof MemoryWritten e) {
      return withMemory(m -> m.put(e.key(), e.value()));
    } else if (event instanceof MemoryDeleted e) {
      return withMemory(m -> m.remove(e.key()));
    } else if (event instanceof ToolConnected e) {
      return withTools(t -> t.put(e.tool().name(), e.tool()));
    } else if (event instanceof ToolDisconnected e) {
      return withTools(t -> t.remove(e.name()));
    } else if (event instanceof PermissionsChanged e) {
      return withPermissions(e.permissions());
    } else if (event instanceof UserMessageAccepted e) {
      return withMessage(e, seq);
    } else if (event instanceof TurnCancelled e) {
      return withTurn(
          e.turnId(), t -> t.cancelled(new TurnError("cancelled", e.reason()), e.at()));
    }
    // Unreachable while SessionEvent is sealed and every type is handled above.
    return this;
  }

  private SessionState withClosed() {
    return new SessionState(
        owner, createdWith, agent, memory, tools, permissions, metadata, true, createdAt,
        updatedAt, lastSeq, transcript, turns, turnIdsByIdempotencyKey, usage);
  }

  private SessionState withMemory(Consumer<Map<String, JsonNode>> change) {
    Map<String, JsonNode> next = new TreeMap<>(memory);
    change.accept(next);
    return new SessionState(
        owner, createdWith, agent, next, tools, permissions, metadata, closed, createdAt,
        updatedAt, lastSeq, transcript, turns, turnIdsByIdempotencyKey, usage);
  }

  private SessionState withTools(Consumer<Map<String, ToolConnection>> change) {
    Map<String, ToolConnection> next = new TreeMap<>(tools);
    change.accept(next);
    return new SessionState(
        owner, createdWith, agent, memory, next, permissions, metadata, closed, createdAt,
        updatedAt, lastSeq, transcript, turns, turnIdsByIdempotencyKey, usage);
  }

  private SessionState withPermissions(PermissionPolicy next) {
    return new SessionState(
        owner, createdWith, agent, memory, tools, next, metadata, closed, createdAt, updatedAt,
        lastSeq, transcript, turns, turnIdsByIdempotencyKey, usage);
  }

  private SessionState withMessage(UserMessageAccepted e, long seq) {
    List<TranscriptEntry> nextTranscript = new ArrayList<>(transcript);
    nextTranscript.add(TranscriptEntry.user(seq, e.turnId(), e.content()));
    List<Turn> nextTurns = new ArrayList<>(turns);
    nextTurns.add(Turn.queued(e.turnId(), e.at()));
    Map<String, String> keys = turnIdsByIdempotencyKey;
    if (e.idempotencyKey() != null) {
      keys = new HashMap<>(keys);
      keys.put(e.idempotencyKey(), e.turnId());
    }
    return new SessionState(
        owner, createdWith, agent, memory, tools, permissions, metadata, closed, createdAt,
        updatedAt, lastSeq, nextTranscript, nextTurns, keys, usage);
  }

  private SessionState withTurn(String turnId, java.util.function.UnaryOperator<Turn> change) {
    List<Turn> next = turns.stream().map(t -> t.id().equals(turnId) ? change.apply(t) : t).toList();
    return new SessionState(
        owner, createdWith, agent, memory, tools, permissions, metadata, closed, createdAt,
        updatedAt, lastSeq, transcript, next, turnIdsByIdempotencyKey, usage);
  }

  private SessionState touched(long seq, Instant at) {
    return new SessionState(
        owner, createdWith, agent, memory, tools, permissions, metadata, closed, createdAt, at,
        seq, transcript, turns, turnIdsByIdempotencyKey, usage);
  }

  private static Map<String, ToolConnection> byName(List<ToolConnection> tools) {
    Map<String, ToolConnection> byName = new TreeMap<>();
    tools.forEach(t -> byName.put(t.name(), t));
    return byName;
  }

  private static <V> Map<String, V> sorted(Map<String, V> map) {
    return Collections.unmodifiableMap(new TreeMap<>(map));
  }
}
