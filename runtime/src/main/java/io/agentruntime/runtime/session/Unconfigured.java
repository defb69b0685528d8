package io.agentruntime.runtime.session;

import io.agentruntime.runtime.model.ModelClient;
import io.agentruntime.runtime.model.ModelProviders;
import io.agentruntime.runtime.model.ToolSpec;
import io.agentruntime.runtime.tools.ToolException;
import io.agentruntime.runtime.tools.ToolExecutor;
import io.agentruntime.runtime.tools.ToolInvocation;
import io.agentruntime.runtime.tools.ToolResult;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** No model and no tool: for sessions of tests that exercise everything but the agent loop. */
final class Unconfigured {

  private Unconfigured() {}

  static final ModelProviders MODELS =
      new ModelProviders() {
        @Override
        public Optional<ModelClient> provider(String name) {
          return Optional.empty();
        }

        @Override
        public Set<String> names() {
          return Set.of();
        }
      };

  static final ToolExecutor TOOLS =
      new ToolExecutor() {
        @Override
        public CompletionStage<ToolResult> call(ToolInvocation invocation) {
          return CompletableFuture.completedFuture(
              new ToolResult.Failed("no_tools", "this runtime calls no tools"));
        }

        @Override
        public CompletionStage<List<ToolSpec>> discover(ToolConnection.Mcp connection) {
          return CompletableFuture.failedFuture(
              new ToolException("no_tools", "this runtime connects to no MCP server", null));
        }

        @Override
        public void release(String sessionKey) {}
      };
}
