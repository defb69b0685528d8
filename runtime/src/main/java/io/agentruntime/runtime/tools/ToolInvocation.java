package io.agentruntime.runtime.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * One call of a tool. {@code tenant} is the calling session's tenant: the only one whose secrets
 * the call may use. {@code sessionKey} identifies the calling session (sent as {@code
 * X-Agent-Session}); {@code toolName} is the tool on the server (for MCP, without the connection
 * prefix); {@code idempotencyKey} is the same on every retry of this call.
 */
public record ToolInvocation(
    String tenant,
    String sessionKey,
    ToolConnection connection,
    String toolName,
    JsonNode arguments,
    String idempotencyKey,
    Duration timeout) {}
