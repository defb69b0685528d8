package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.CborSerializable;
import java.time.Instant;

/**
 * What happened to a session: the journal is its history and audit trail. Events are a stored
 * contract; their class names are the serialization manifests. Add fields only as optional, and
 * reshape only with a Jackson migration (the golden samples under test guard this). {@code by} is
 * the user whose request caused the change.
 */
public sealed interface SessionEvent extends CborSerializable {

  Instant at();

  /** The snake_case name clients see, e.g. on the SSE stream. */
  String type();

  record SessionCreated(Owner owner, SessionSpec spec, Instant at) implements SessionEvent {
    public String type() {
      return "session_created";
    }
  }

  record SessionClosed(String by, Instant at) implements SessionEvent {
    public String type() {
      return "session_closed";
    }
  }

  record MemoryWritten(String key, JsonNode value, String by, Instant at) implements SessionEvent {
    public String type() {
      return "memory_written";
    }
  }

  record MemoryDeleted(String key, String by, Instant at) implements SessionEvent {
    public String type() {
      return "memory_deleted";
    }
  }

  record ToolConnected(ToolConnection tool, String by, Instant at) implements SessionEvent {
    public String type() {
      return "tool_connected";
    }
  }

  record ToolDisconnected(String name, String by, Instant at) implements SessionEvent {
    public String type() {
      return "tool_disconnected";
    }
  }

  record PermissionsChanged(PermissionPolicy permissions, String by, Instant at)
      implements SessionEvent {
    public String type() {
      return "permissions_changed";
    }
  }

  /**
   * A user message was accepted and a turn opened for it. {@code idempotencyKey} is the client's
   * key for the request, or null; a retry with the same key answers this turn again.
   */
  record UserMessageAccepted(
      String turnId, String content, String idempotencyKey, String by, Instant at)
      implements SessionEvent {
    public String type() {
      return "user_message";
    }
  }

  record TurnCancelled(String turnId, String reason, String by, Instant at) implements SessionEvent {
    public String type() {
      return "turn_cancelled";
    }
  }
}
