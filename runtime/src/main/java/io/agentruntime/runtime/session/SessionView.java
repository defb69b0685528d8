package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a caller sees of a session: its state without the transcript and turn history. {@code
 * pendingClientCalls} are the function calls that wait for the client's results (decision 0023);
 * {@code vaultIds} the vaults it was created with (decision 0029).
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
    List<ClientCall> pendingClientCalls,
    List<String> vaultIds)
    implements CborSerializable {

  public SessionView {
    pendingClientCalls = pendingClientCalls == null ? List.of() : List.copyOf(pendingClientCalls);
    vaultIds = vaultIds == null || vaultIds.isEmpty() ? List.of() : List.copyOf(vaultIds);
  }

  /** A view without pending client calls or vaults. */
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
        List.of(),
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
        s.pendingClientCalls(),
        s.createdWith() == null ? List.of() : s.createdWith().vaultIds());
  }

  /**
   * The view of {@code s} without its memory and without the tools discovered on its MCP servers:
   * small enough for one message between nodes (the head of {@link ViewPart} is bounded so, and the
   * connections without what they discovered are no larger than the command that connected them).
   */
  static SessionView glance(String id, SessionState s) {
    List<ToolConnection> tools = new java.util.ArrayList<>(s.tools().size());
    s.tools()
        .values()
        .forEach(t -> tools.add(t instanceof ToolConnection.Mcp m ? m.withTools(List.of()) : t));
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
        Map.of(),
        List.copyOf(tools),
        s.permissions(),
        s.metadata(),
        s.pendingApprovals().size(),
        s.usage(),
        s.pendingClientCalls(),
        s.createdWith() == null ? List.of() : s.createdWith().vaultIds());
  }
}
