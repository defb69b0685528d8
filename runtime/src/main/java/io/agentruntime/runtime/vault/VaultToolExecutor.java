package io.agentruntime.runtime.vault;

import io.agentruntime.runtime.model.ToolSpec;
import io.agentruntime.runtime.tools.Bearer;
import io.agentruntime.runtime.tools.CredentialScope;
import io.agentruntime.runtime.tools.ToolConnection;
import io.agentruntime.runtime.tools.ToolException;
import io.agentruntime.runtime.tools.ToolExecutor;
import io.agentruntime.runtime.tools.ToolInvocation;
import io.agentruntime.runtime.tools.ToolResult;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's tool executor with vault credentials: resolves the credential of each call (and MCP
 * discovery) from the session's vaults when it is made, then hands the call on with the bearer
 * (decision 0029). A call whose credential is not there for it fails before anything is sent.
 */
final class VaultToolExecutor implements ToolExecutor {

  private static final Logger log = LoggerFactory.getLogger(VaultToolExecutor.class);

  private final ToolExecutor tools;
  private final CallCredentials credentials;

  VaultToolExecutor(ToolExecutor tools, CallCredentials credentials) {
    this.tools = tools;
    this.credentials = credentials;
  }

  @Override
  public CompletionStage<ToolResult> call(ToolInvocation invocation) {
    if (!CallCredentials.needed(invocation.connection(), invocation.credentials())) {
      return tools.call(invocation);
    }
    return credentials
        .resolve(invocation.tenant(), invocation.credentials(), invocation.connection())
        .handle(
            (resolution, error) -> {
              if (error != null) {
                log.warn(
                    "The vault credential of a tool call could not be read: {}", error.toString());
                return CompletableFuture.<ToolResult>completedFuture(
                    new ToolResult.Failed(
                        CallCredentials.UNAVAILABLE,
                        "the vault did not answer in time; nothing was sent to the tool"));
              }
              if (resolution instanceof CallCredentials.Resolution.Found found) {
                return tools.call(invocation.withBearer(found.bearer()));
              }
              if (resolution instanceof CallCredentials.Resolution.Refused refused) {
                return CompletableFuture.<ToolResult>completedFuture(refused.failure());
              }
              return tools.call(invocation);
            })
        .thenCompose(stage -> stage);
  }

  @Override
  public CompletionStage<List<ToolSpec>> discover(String tenant, ToolConnection.Mcp connection) {
    return tools.discover(tenant, connection);
  }

  /** Discovery for a new session: the connection's vault credential is resolved first. */
  @Override
  public CompletionStage<List<ToolSpec>> discover(
      String tenant, CredentialScope scope, ToolConnection.Mcp connection) {
    if (!CallCredentials.needed(connection, scope)) {
      return tools.discover(tenant, connection);
    }
    return credentials
        .resolve(tenant, scope, connection)
        .thenCompose(
            resolution -> {
              if (resolution instanceof CallCredentials.Resolution.Found found) {
                return tools.discover(tenant, connection, found.bearer());
              }
              if (resolution instanceof CallCredentials.Resolution.Refused refused) {
                return CompletableFuture.failedFuture(
                    new ToolException(refused.failure().code(), refused.failure().message(), null));
              }
              return tools.discover(tenant, connection);
            });
  }

  @Override
  public CompletionStage<List<ToolSpec>> discover(
      String tenant, ToolConnection.Mcp connection, Bearer bearer) {
    return tools.discover(tenant, connection, bearer);
  }

  @Override
  public Optional<String> refusal(ToolConnection connection) {
    return tools.refusal(connection);
  }

  @Override
  public void release(String sessionKey) {
    tools.release(sessionKey);
  }
}
