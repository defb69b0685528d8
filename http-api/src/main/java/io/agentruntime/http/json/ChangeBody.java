package io.agentruntime.http.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.json.SessionBody.PermissionsBody;
import io.agentruntime.runtime.session.PermissionPolicy;
import io.agentruntime.runtime.tools.ToolConnection;

/**
 * What a write of one part of a session answers: the part as it now is and {@code lastSeq}, the
 * session's journal position after the write (an event stream resumed after it misses nothing
 * later). Never the whole session, which may be far larger (decision 0033).
 */
public final class ChangeBody {

  private ChangeBody() {}

  /** {@code PUT .../memory/{key}}. */
  public record MemoryWritten(String key, JsonNode value, long lastSeq) {}

  /** {@code DELETE .../memory/{key}}. */
  public record MemoryDeleted(String key, long lastSeq) {}

  /** {@code PUT .../tools/{name}}. */
  public record ToolConnected(ToolBody tool, long lastSeq) {
    public static ToolConnected of(ToolConnection tool, long lastSeq) {
      return new ToolConnected(ToolBody.of(tool), lastSeq);
    }
  }

  /** {@code DELETE .../tools/{name}}. */
  public record ToolDisconnected(String name, long lastSeq) {}

  /** {@code PUT .../permissions}. */
  public record PermissionsChanged(PermissionsBody permissions, long lastSeq) {
    public static PermissionsChanged of(PermissionPolicy policy, long lastSeq) {
      return new PermissionsChanged(new PermissionsBody(PermissionsRequest.wire(policy)), lastSeq);
    }
  }
}
