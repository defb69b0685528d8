package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.model.ToolSpec;
import io.agentruntime.runtime.tools.ToolConnection;
import java.util.Map;

/**
 * How large a session's state is once stored, estimated from its content: the UTF-8 bytes of its
 * text and JSON plus a little per entry. A snapshot is one blob and one Cassandra mutation, so what
 * would take a session past {@code agent-runtime.session.max-session-size} (well below Cassandra's
 * 16 MB mutation limit) is refused rather than journaled, and its snapshot can always be written.
 * An estimate, not a serialization: it walks strings and JSON trees, and costs no allocation.
 */
final class SessionSize {

  /** Per entry (ids, timestamps, status, field names) of a transcript entry, turn, approval. */
  private static final int ENTRY = 128;

  private SessionSize() {}

  static long of(SessionState s) {
    if (!s.exists()) {
      return 0;
    }
    long size = of(s.createdWith()) + ENTRY;
    size += s.agent() == null ? 0 : text(s.agent().instructions());
    size += memory(s.memory());
    for (ToolConnection tool : s.tools().values()) {
      size += of(tool);
    }
    size += s.permissions().tools().size() * 32L;
    for (Map.Entry<String, String> e : s.metadata().entrySet()) {
      size += text(e.getKey()) + text(e.getValue());
    }
    // The history's part is kept by its lists as entries come, not walked on every question.
    size += ((Transcript) s.transcript()).bytes();
    size += ((TurnList) s.turns()).bytes();
    size += s.turnIdsByIdempotencyKey().size() * 96L;
    for (PendingCall call : s.pendingCalls().values()) {
      size += ENTRY + of(call.arguments());
    }
    for (Approval approval : s.approvals().values()) {
      size += ENTRY + of(approval.arguments());
    }
    return size;
  }

  static long of(TranscriptEntry entry) {
    long size = ENTRY + text(entry.content());
    for (TranscriptEntry.ToolCall call : entry.toolCalls()) {
      size += ENTRY + text(call.name()) + of(call.arguments());
    }
    return size;
  }

  static long of(Turn turn) {
    return ENTRY + text(turn.output()) + (turn.error() == null ? 0 : text(turn.error().message()));
  }

  static long of(SessionSpec spec) {
    if (spec == null) {
      return 0;
    }
    long size =
        spec.agent() == null ? 0 : text(spec.agent().instructions()) + of(spec.agent().profile());
    for (ToolConnection tool : spec.tools()) {
      size += of(tool);
    }
    size += memory(spec.memory()) + spec.permissions().tools().size() * 32L;
    for (Map.Entry<String, String> e : spec.metadata().entrySet()) {
      size += text(e.getKey()) + text(e.getValue());
    }
    return size;
  }

  static long of(ToolConnection tool) {
    if (tool == null) {
      return 0;
    }
    long size = ENTRY + text(tool.name()) + text(tool.url()) + text(tool.secretRef());
    if (tool instanceof ToolConnection.Http http) {
      size += text(http.description()) + of(http.parameters());
    } else if (tool instanceof ToolConnection.Function fn) {
      size += text(fn.description()) + of(fn.parameters());
    } else if (tool instanceof ToolConnection.Mcp mcp) {
      for (String allowed : mcp.allow()) {
        size += text(allowed) + 2;
      }
      for (ToolSpec spec : mcp.tools()) {
        size += text(spec.name()) + text(spec.description()) + of(spec.parameters());
      }
    }
    return size;
  }

  static long memory(Map<String, JsonNode> memory) {
    long size = 0;
    for (Map.Entry<String, JsonNode> e : memory.entrySet()) {
      size += text(e.getKey()) + of(e.getValue());
    }
    return size;
  }

  static long of(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return 1;
    }
    if (node.isTextual()) {
      return text(node.textValue()) + 2;
    }
    if (node.isObject()) {
      long size = 2;
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        size += text(e.getKey()) + 2 + of(e.getValue());
      }
      return size;
    }
    if (node.isArray()) {
      long size = 2;
      for (JsonNode child : node) {
        size += of(child) + 1;
      }
      return size;
    }
    return node.isBinary() ? node.asText().length() : 9;
  }

  /** UTF-8 bytes of {@code text} (0 for none). */
  static long text(String text) {
    if (text == null) {
      return 0;
    }
    long bytes = text.length();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x80) {
        bytes += c >= 0x800 && !Character.isSurrogate(c) ? 2 : 1;
      }
    }
    return bytes;
  }
}
