package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a caller sees of a session: its state without the transcript and turn history. {@code
 * pendingClientCalls} are the function calls that wait for the client's results (decision 0023).
 */
public record SessionView(
    String id,
    Owner owner,
    SessionStatus status,
    AgentDefinition agent,
    Instant createdAt,
    Instant updatedAt,
    long lastSeq,
    Turn currentTurn,
    long queuedMessages,
    Map<String, JsonNode> memory,
    List<ToolConnection> tools,
    PermissionPolicy permissions,
    Map<String, String> metadata,
    int pendingApprovals,
    Usage usage,
    List<ClientCall> pendingClientCalls)
    implements CborSerializable {

  public SessionView {
    pendingClientCalls = pendingClientCalls == null ? List.of() : List.copyOf(pendingClientCalls);
  }

  /** A view without pending client calls. */
  public SessionView(
      String id,
      Owner owner,
      SessionStatus status,
      AgentDefinition agent,
      Instant createdAt,
      Instant updatedAt,
      long lastSeq,
      Turn currentTurn,
      long queuedMessages,
      Map<String, JsonNode> memory,
      List<ToolConnection> tools,
      PermissionPolicy permissions,
      Map<String, String> metadata,
      int pendingApprovals,
      Usage usage) {
    this(
        id,
        owner,
        status,
        agent,
        createdAt,
        updatedAt,
        lastSeq,
        currentTurn,
        queuedMessages,
        memory,
        tools,
        permissions,
        metadata,
        pendingApprovals,
        usage,
        List.of());
  }

  static SessionView of(String id, SessionState s) {
    return new SessionView(
        id,
        s.owner(),
        s.status(),
        s.agent(),
        s.createdAt(),
        s.updatedAt(),
        s.lastSeq(),
        s.currentTurn().orElse(null),
        s.queuedMessages(),
        s.memory(),
        List.copyOf(s.tools().values()),
        s.permissions(),
        s.metadata(),
        s.pendingApprovals().size(),
        s.usage(),
        s.pendingClientCalls());
  }
}
