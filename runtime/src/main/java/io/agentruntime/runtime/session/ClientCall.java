package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A function call that waits for the client to run it and submit its result (decision 0023): what
 * the client needs to run it, and when the session stops waiting ({@code expiresAt}).
 */
public record ClientCall(
    String callId, String name, JsonNode arguments, String turnId, Instant expiresAt) {

  static ClientCall of(PendingCall call) {
    return new ClientCall(
        call.toolCallId(), call.tool(), call.arguments(), call.turnId(), call.expiresAt());
  }
}
