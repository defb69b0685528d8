package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.agentruntime.runtime.model.ToolSpec;
import io.agentruntime.runtime.tools.ToolConnection;
import io.agentruntime.runtime.tools.ToolException;
import io.agentruntime.runtime.tools.ToolExecutor;
import io.agentruntime.runtime.tools.ToolInvocation;
import io.agentruntime.runtime.tools.ToolResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The tool executor of the session tests: it records every invocation (idempotency key included)
 * and ends it only when the test says so.
 */
final class FakeTools implements ToolExecutor {

  /** One tool call and the outcome the test gives it. */
  record Invocation(ToolInvocation invocation, CompletableFuture<ToolResult> future) {

    void succeed(JsonNode result) {
      end(new ToolResult.Succeeded(result));
    }

    void fail(String code, String message) {
      end(new ToolResult.Failed(code, message));
    }

    void end(ToolResult result) {
      assertTrue(future.complete(result), "this tool call has ended before");
    }

    String tool() {
      return invocation.toolName();
    }

    String key() {
      return invocation.idempotencyKey();
    }

    JsonNode arguments() {
      return invocation.arguments();
    }
  }

  private final List<Invocation> invocations = new CopyOnWriteArrayList<>();

  @Override
  public CompletionStage<ToolResult> call(ToolInvocation invocation) {
    Invocation call = new Invocation(invocation, new CompletableFuture<>());
    invocations.add(call);
    return call.future();
  }

  /**
   * A server whose URL contains {@code unreachable} cannot be reached; any other offers the tools
   * its connection allows (none allowed: one, {@code search}).
   */
  @Override
  public CompletionStage<List<ToolSpec>> discover(String tenant, ToolConnection.Mcp connection) {
    if (connection.url().contains("unreachable")) {
      return CompletableFuture.failedFuture(
          new ToolException("mcp_unreachable", "not in these tests", null));
    }
    List<String> offered = connection.allow().isEmpty() ? List.of("search") : connection.allow();
    return CompletableFuture.completedFuture(
        offered.stream()
            .map(
                t ->
                    new ToolSpec(
                        connection.name() + "__" + t,
                        "",
                        JsonNodeFactory.instance.objectNode().put("type", "object")))
            .toList());
  }

  @Override
  public void release(String sessionKey) {}

  List<Invocation> invocations() {
    return List.copyOf(invocations);
  }

  /** The {@code n}th (1-based) invocation, checking that there were exactly {@code n} so far. */
  Invocation invocation(int n) {
    assertEquals(n, invocations.size(), () -> "tool invocations so far: " + invocations);
    return invocations.get(n - 1);
  }

  /** The invocation of a tool by its name on the server; there must be exactly one. */
  Invocation of(String toolName) {
    List<Invocation> found = invocations.stream().filter(i -> i.tool().equals(toolName)).toList();
    assertEquals(1, found.size(), () -> "invocations of " + toolName + ": " + invocations);
    return found.get(0);
  }
}
