package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.tools.ToolConnection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a client asks for when it creates a session. Two specs are equal when their JSON is. An
 * absent (null) list, policy or map is the empty one, so that leaving it out and sending it empty
 * are the same request. {@code vaultIds} are the vaults whose credentials the session's tools may
 * use (decision 0029): ids only, never a secret; absent in sessions created before vaults existed.
 */
public record SessionSpec(
    AgentDefinition agent,
    List<ToolConnection> tools,
    PermissionPolicy permissions,
    Map<String, JsonNode> memory,
    Map<String, String> metadata,
    List<String> vaultIds) {

  /** A spec with no vaults. */
  public SessionSpec(
      AgentDefinition agent,
      List<ToolConnection> tools,
      PermissionPolicy permissions,
      Map<String, JsonNode> memory,
      Map<String, String> metadata) {
    this(agent, tools, permissions, memory, metadata, List.of());
  }

  public SessionSpec {
    vaultIds = vaultIds == null || vaultIds.isEmpty() ? List.of() : List.copyOf(vaultIds);
    tools = tools == null ? List.of() : List.copyOf(tools);
    permissions = permissions == null ? PermissionPolicy.empty() : permissions;
    // Empty maps are shared, as in SessionState (decision 0011).
    memory =
        memory == null
            ? Map.of()
            : memory.isEmpty()
                ? Collections.emptySortedMap()
                : Collections.unmodifiableMap(new TreeMap<>(memory));
    metadata =
        metadata == null
            ? Map.of()
            : metadata.isEmpty()
                ? Collections.emptyMap()
                : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /**
   * The spec as a client sends it: MCP connections without the tools discovered on them, which
   * depend on when the server was asked. Two creates of the same session compare these.
   */
  public SessionSpec asAsked() {
    if (tools.stream().noneMatch(t -> t instanceof ToolConnection.Mcp m && !m.tools().isEmpty())) {
      return this;
    }
    List<ToolConnection> asked =
        tools.stream()
            .map(
                t ->
                    t instanceof ToolConnection.Mcp m ? (ToolConnection) m.withTools(List.of()) : t)
            .toList();
    return withTools(asked);
  }

  /** The same spec with {@code next} as its tools. */
  public SessionSpec withTools(List<ToolConnection> next) {
    return new SessionSpec(agent, next, permissions, memory, metadata, vaultIds);
  }

  /** The same spec with {@code next} as its agent. */
  public SessionSpec withAgent(AgentDefinition next) {
    return new SessionSpec(next, tools, permissions, memory, metadata, vaultIds);
  }

  /** The same spec, whose tools may use the credentials of {@code next} vaults. */
  public SessionSpec withVaultIds(List<String> next) {
    return new SessionSpec(agent, tools, permissions, memory, metadata, next);
  }
}
