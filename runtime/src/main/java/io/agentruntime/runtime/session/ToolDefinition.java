package io.agentruntime.runtime.session;

import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.tools.ToolConnection;
import java.util.List;

/**
 * Where a call goes, as journaled when the call was asked about ({@code ApprovalRequested}) or
 * started ({@code ToolCallStarted}): the connection's kind, url, the name of its secret (never the
 * secret) and whether it is idempotent. The call, a retry and recovery use this, not whatever the
 * session's connection of that name is by then. Events written before it lack it (null): they use
 * the current connection, as before.
 */
public record ToolDefinition(String kind, String url, String secretRef, boolean idempotent)
    implements CborSerializable {

  static final String HTTP = "http";
  static final String MCP = "mcp";
  static final String FUNCTION = "function";

  /** The definition of an external target; null for a built-in tool. */
  static ToolDefinition of(ToolCatalog.Target target) {
    if (target.connection() == null) { // built in, or schedule_wakeup
      return null;
    }
    ToolConnection c = target.connection();
    String kind =
        c instanceof ToolConnection.Mcp
            ? MCP
            : c instanceof ToolConnection.Function ? FUNCTION : HTTP;
    return new ToolDefinition(kind, c.url(), c.secretRef(), target.idempotent());
  }

  /** The target of a call of {@code exposedName} (for MCP, {@code <connection>__<tool>}). */
  ToolCatalog.Target target(String exposedName) {
    if (FUNCTION.equals(kind)) {
      return new ToolCatalog.Target(
          exposedName, new ToolConnection.Function(exposedName, null, null), exposedName, false);
    }
    if (MCP.equals(kind)) {
      int split = exposedName.indexOf("__");
      String connection = split > 0 ? exposedName.substring(0, split) : exposedName;
      String remote = split > 0 ? exposedName.substring(split + 2) : exposedName;
      return new ToolCatalog.Target(
          exposedName,
          new ToolConnection.Mcp(connection, url, List.of(), secretRef),
          remote,
          idempotent);
    }
    return new ToolCatalog.Target(
        exposedName,
        new ToolConnection.Http(exposedName, url, null, null, idempotent, secretRef),
        exposedName,
        idempotent);
  }
}
