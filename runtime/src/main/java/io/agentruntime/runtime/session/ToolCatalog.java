package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.agentruntime.runtime.model.ToolSpec;
import io.agentruntime.runtime.tools.ToolConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tools a session offers its model: the built-in memory tools, its HTTP tools, its client-run
 * functions, and the tools its MCP servers exposed as {@code <connection>__<tool>}. Tools the
 * policy or the tenant's ceiling denies are not offered.
 */
final class ToolCatalog {

  /**
   * Where a call goes: built in, {@code schedule_wakeup} ({@code wakesUp}), or a connection and the
   * tool's name on it.
   */
  record Target(
      String exposedName,
      ToolConnection connection,
      String remoteName,
      boolean idempotent,
      boolean wakesUp) {

    Target(String exposedName, ToolConnection connection, String remoteName, boolean idempotent) {
      this(exposedName, connection, remoteName, idempotent, false);
    }

    /** Run in place by the session (the memory tools). */
    boolean builtIn() {
      return connection == null && !wakesUp;
    }

    /** Run by the client, not by the runtime (decision 0023). */
    boolean byClient() {
      return connection instanceof ToolConnection.Function;
    }
  }

  private ToolCatalog() {}

  static Optional<Target> resolve(SessionState s, String name) {
    if (PermissionPolicy.BUILT_IN_TOOLS.contains(name)) {
      return Optional.of(new Target(name, null, name, true));
    }
    if (ScheduleWakeup.NAME.equals(name)) {
      // Idempotent: the schedule's id comes from the call (ScheduleWakeup#scheduleId).
      return Optional.of(new Target(name, null, name, true, true));
    }
    ToolConnection direct = s.tools().get(name);
    if (direct instanceof ToolConnection.Http http) {
      return Optional.of(new Target(name, http, name, http.idempotent()));
    }
    if (direct instanceof ToolConnection.Function fn) {
      return Optional.of(new Target(name, fn, name, false));
    }
    int split = name.indexOf("__");
    if (split > 0 && s.tools().get(name.substring(0, split)) instanceof ToolConnection.Mcp mcp) {
      String remote = name.substring(split + 2);
      boolean offered =
          mcp.tools().isEmpty()
              ? mcp.allow().isEmpty() || mcp.allow().contains(remote)
              : mcp.tools().stream().anyMatch(t -> t.name().equals(name));
      // Whether an MCP tool has side effects is not known: it is treated as having them.
      return offered ? Optional.of(new Target(name, mcp, remote, false)) : Optional.empty();
    }
    return Optional.empty();
  }

  /**
   * Where a call journaled with {@code definition} goes: that definition, whatever the session's
   * connection of that name is now (the connection itself while it still matches). Without a
   * definition (journaled before it was), the connection of that name now.
   */
  static Optional<Target> resolve(SessionState s, String name, ToolDefinition definition) {
    Optional<Target> current = resolve(s, name);
    if (definition == null) {
      return current;
    }
    return current
        .filter(t -> definition.equals(ToolDefinition.of(t)))
        .or(() -> Optional.of(definition.target(name)));
  }

  static List<ToolSpec> specs(SessionState s) {
    return specs(s, TenantPolicy.NONE);
  }

  /** As {@link #specs(SessionState)}, without the tools the tenant's {@code ceiling} denies. */
  static List<ToolSpec> specs(SessionState s, TenantPolicy ceiling) {
    List<ToolSpec> specs = new ArrayList<>(BuiltInTools.SPECS);
    specs.add(ScheduleWakeup.SPEC);
    for (ToolConnection tool : s.tools().values()) {
      if (tool instanceof ToolConnection.Http http) {
        specs.add(
            new ToolSpec(
                http.name(),
                http.description() == null ? "" : http.description(),
                http.parameters() == null ? ANY_OBJECT : http.parameters()));
      } else if (tool instanceof ToolConnection.Function fn) {
        specs.add(
            new ToolSpec(
                fn.name(),
                fn.description() == null ? "" : fn.description(),
                fn.parameters() == null ? ANY_OBJECT : fn.parameters()));
      } else if (tool instanceof ToolConnection.Mcp mcp) {
        specs.addAll(mcp.tools());
      }
    }
    return specs.stream()
        .filter(t -> ceiling.effective(s.permissions(), t.name()) != Permission.DENY)
        .toList();
  }

  private static final JsonNode ANY_OBJECT =
      JsonNodeFactory.instance.objectNode().put("type", "object");
}
