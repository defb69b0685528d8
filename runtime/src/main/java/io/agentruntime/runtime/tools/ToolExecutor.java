package io.agentruntime.runtime.tools;

import io.agentruntime.runtime.model.ToolSpec;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Calls a session's external tools (HTTP endpoints and MCP servers). Never blocks the caller. Every
 * call ends in exactly one {@link ToolResult}: the stage never fails.
 */
public interface ToolExecutor {

  CompletionStage<ToolResult> call(ToolInvocation invocation);

  /**
   * Connects to an MCP server and lists the tools it offers (filtered by the connection's {@code
   * allow}), named as the model will see them: {@code <connection>__<tool>}, for a session of
   * {@code tenant} (whose secrets only it may use). Fails with a {@link ToolException} when the
   * server cannot be reached or refuses, or offers more than the discovery limits.
   */
  CompletionStage<List<ToolSpec>> discover(String tenant, ToolConnection.Mcp connection);

  /**
   * Why a connection's destination may not be used (not on the allow-list of hosts), or empty when
   * it may. Checked when a tool is connected, so a bad URL is refused before it is stored.
   */
  default java.util.Optional<String> refusal(ToolConnection connection) {
    return java.util.Optional.empty();
  }

  /** Closes whatever the executor keeps open for this session (e.g. MCP client sessions). */
  void release(String sessionKey);
}
