package io.agentruntime.http;

import io.agentruntime.runtime.model.ToolSpec;
import io.agentruntime.runtime.tools.ToolConnection;
import io.agentruntime.runtime.tools.ToolExecutor;
import io.agentruntime.runtime.tools.ToolInvocation;
import io.agentruntime.runtime.tools.ToolResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Tools for a node whose tests need none: any call fails as a tool error, discovery finds none. */
final class NoTools implements ToolExecutor {

  @Override
  public CompletionStage<ToolResult> call(ToolInvocation invocation) {
    return CompletableFuture.completedFuture(new ToolResult.Failed("tool_error", "none here"));
  }

  @Override
  public CompletionStage<List<ToolSpec>> discover(String tenant, ToolConnection.Mcp connection) {
    return CompletableFuture.completedFuture(List.of());
  }

  @Override
  public void release(String sessionKey) {}
}
