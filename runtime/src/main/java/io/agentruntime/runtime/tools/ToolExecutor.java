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
   * As {@link #discover(String, ToolConnection.Mcp)}, for a session that may use the credentials of
   * {@code credentials}' vaults (decision 0029): an executor that knows vaults resolves the
   * connection's credential first. By default the vaults are not looked at.
   */
  default CompletionStage<List<ToolSpec>> discover(
      String tenant, CredentialScope credentials, ToolConnection.Mcp connection) {
    return discover(tenant, connection);
  }

  /**
   * As {@link #discover(String, ToolConnection.Mcp)}, sending {@code bearer}, a credential resolved
   * already, instead of the connection's granted secret.
   */
  default CompletionStage<List<ToolSpec>> discover(
      String tenant, ToolConnection.Mcp connection, Bearer bearer) {
    return discover(tenant, connection);
  }

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
