package io.agentruntime.runtime.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Settings, connections and invocations the tool tests share. */
final class ToolFixtures {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private ToolFixtures() {}

  static ToolSettings settings() {
    return new ToolSettings(
        ToolHosts.loopbackOnly(),
        Optional.empty(),
        256 * 1024,
        200,
        Duration.ofSeconds(10),
        Duration.ofMinutes(1),
        Duration.ofSeconds(2),
        new ToolSettings.McpLimits(100, Duration.ofMinutes(5), 4 * 1024 * 1024, 2, 128, 1 << 20));
  }

  /** The tenant of {@link #invocation}s. */
  static final String TENANT = "acme";

  /** Secrets granted to {@link #TENANT}, by name. */
  static Secrets secrets(Map<String, String> values) {
    return Secrets.of(Map.of(TENANT, values));
  }

  static JsonNode json(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static ToolConnection.Http http(String url, String secretRef) {
    return new ToolConnection.Http("send_email", url, "Sends an email", null, false, secretRef);
  }

  static ToolConnection.Mcp mcp(String url, List<String> allow, String secretRef) {
    return new ToolConnection.Mcp("files", url, allow, secretRef);
  }

  static ToolInvocation invocation(ToolConnection connection, String tool, String arguments) {
    return invocation("acme/s1", connection, tool, arguments, Duration.ofSeconds(10));
  }

  static ToolInvocation invocation(
      String sessionKey,
      ToolConnection connection,
      String tool,
      String arguments,
      Duration timeout) {
    return new ToolInvocation(
        TENANT, sessionKey, connection, tool, json(arguments), "call-" + tool + "-1", timeout);
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the stage did not complete normally", e);
    }
  }

  static ToolResult.Failed failed(ToolResult result) {
    if (result instanceof ToolResult.Failed f) {
      return f;
    }
    throw new AssertionError("expected a failure, got " + result);
  }

  static ToolResult.Unknown unknown(ToolResult result) {
    if (result instanceof ToolResult.Unknown u) {
      return u;
    }
    throw new AssertionError("expected an unknown outcome, got " + result);
  }

  static JsonNode succeeded(ToolResult result) {
    if (result instanceof ToolResult.Succeeded s) {
      return s.result();
    }
    throw new AssertionError("expected a success, got " + result);
  }
}
