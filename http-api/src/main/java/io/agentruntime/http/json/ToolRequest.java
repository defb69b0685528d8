package io.agentruntime.http.json;

import static io.agentruntime.http.json.Fields.array;
import static io.agentruntime.http.json.Fields.asString;
import static io.agentruntime.http.json.Fields.bool;
import static io.agentruntime.http.json.Fields.path;
import static io.agentruntime.http.json.Fields.requiredString;
import static io.agentruntime.http.json.Fields.string;
import static io.agentruntime.http.json.Fields.value;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.runtime.tools.ToolConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * A tool connection as a client sends it: {@code {"kind": "http", "url", "description",
 * "parameters", "idempotent", "secretRef"}}, {@code {"kind": "mcp", "url", "allow", "secretRef"}},
 * or {@code {"kind": "function", "description", "parameters"}} (run by the client). The session
 * checks names, URLs and secret references.
 */
public final class ToolRequest {

  private ToolRequest() {}

  /** A tool of {@code POST /v1/sessions}: the name is in the object. */
  public static ToolConnection withName(ObjectNode tool, String prefix) {
    return read(tool, requiredString(tool, "name", prefix), prefix);
  }

  /** The body of {@code PUT .../tools/{name}}: the name is the path's. */
  public static ToolConnection named(ObjectNode tool, String name) {
    string(tool, "name", "")
        .ifPresent(
            n -> {
              if (!n.equals(name)) {
                throw ApiError.invalidField("name must be left out or equal the name in the path");
              }
            });
    return read(tool, name, "");
  }

  private static ToolConnection read(ObjectNode tool, String name, String prefix) {
    String kind = requiredString(tool, "kind", prefix);
    if ("function".equals(kind)) {
      // Run by the client (decision 0023): no URL, no secret.
      return new ToolConnection.Function(
          name,
          string(tool, "description", prefix).orElse(null),
          value(tool, "parameters").orElse(null));
    }
    String url = requiredString(tool, "url", prefix);
    String secretRef = string(tool, "secretRef", prefix).orElse(null);
    return switch (kind) {
      case "http" ->
          new ToolConnection.Http(
              name,
              url,
              string(tool, "description", prefix).orElse(null),
              value(tool, "parameters").orElse(null),
              bool(tool, "idempotent", prefix).orElse(false),
              secretRef);
      case "mcp" -> new ToolConnection.Mcp(name, url, allow(tool, prefix), secretRef);
      default ->
          throw ApiError.invalidField(path(prefix, "kind") + " must be http, mcp or function");
    };
  }

  private static List<String> allow(ObjectNode tool, String prefix) {
    List<String> allow = new ArrayList<>();
    ArrayNode names = array(tool, "allow", prefix).orElse(null);
    if (names != null) {
      for (int i = 0; i < names.size(); i++) {
        JsonNode n = names.get(i);
        allow.add(asString(n, path(prefix, "allow") + "[" + i + "]"));
      }
    }
    return allow;
  }
}
