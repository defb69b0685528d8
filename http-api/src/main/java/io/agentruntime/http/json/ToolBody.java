package io.agentruntime.http.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.tools.ToolConnection;
import java.util.List;

/** A connected tool as the API shows it: the request's shape with its name. */
public sealed interface ToolBody {

  record Http(
      String name,
      String kind,
      String url,
      String description,
      JsonNode parameters,
      boolean idempotent,
      String secretRef)
      implements ToolBody {}

  record Mcp(String name, String kind, String url, List<String> allow, String secretRef)
      implements ToolBody {}

  /** A function the client runs (decision 0023). */
  record Function(String name, String kind, String description, JsonNode parameters)
      implements ToolBody {}

  static ToolBody of(ToolConnection tool) {
    if (tool instanceof ToolConnection.Function f) {
      return new Function(f.name(), "function", f.description(), f.parameters());
    }
    if (tool instanceof ToolConnection.Http h) {
      return new Http(
          h.name(),
          "http",
          h.url(),
          h.description(),
          h.parameters(),
          h.idempotent(),
          h.secretRef());
    }
    ToolConnection.Mcp m = (ToolConnection.Mcp) tool;
    return new Mcp(m.name(), "mcp", m.url(), m.allow(), m.secretRef());
  }
}
