package io.agentruntime.http.agents;

import static io.agentruntime.http.json.Fields.array;
import static io.agentruntime.http.json.Fields.asObject;
import static io.agentruntime.http.json.Fields.asString;
import static io.agentruntime.http.json.Fields.bool;
import static io.agentruntime.http.json.Fields.object;
import static io.agentruntime.http.json.Fields.requiredString;
import static io.agentruntime.http.json.Fields.string;
import static io.agentruntime.http.json.Fields.value;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.runtime.session.Permission;
import io.agentruntime.runtime.tools.ToolConnection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An agent's {@code tools} (decision 0025): {@code function} (run by the client: the turn waits for
 * its result, decision 0023), {@code mcp} over HTTP (one of our MCP connections: {@code
 * server_label} its name, {@code allowed_tools} its allow-list, {@code require_approval: "always"}
 * our permission {@code ask}) and our HTTP tools as the extension type {@code
 * x-agent-runtime-http}. Any other type is a 400 naming it, never dropped. Pure: table-tested.
 */
public final class AgentTools {

  public static final String HTTP_TYPE = "x-agent-runtime-http";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private AgentTools() {}

  /** The tools as the agent object echoes them, each checked. */
  static ArrayNode resolve(ArrayNode tools, String param) {
    ArrayNode out = AgentConfig.JSON.arrayNode();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < tools.size(); i++) {
      String p = param + "[" + i + "]";
      ObjectNode tool = asObject(tools.get(i), p);
      ObjectNode resolved =
          switch (requiredString(tool, "type", p)) {
            case "function" -> function(tool, p);
            case "mcp" -> mcp(tool, p);
            case HTTP_TYPE -> http(tool, p);
            default ->
                throw ApiError.invalidField(
                    p + ".type",
                    "tool type '" + tool.get("type").asText() + "' is not supported here");
          };
      String name =
          resolved.has("server_label")
              ? resolved.get("server_label").asText()
              : resolved.get("name").asText();
      if (!names.add(name)) {
        throw ApiError.invalidField(p, "two tools are named " + name);
      }
      out.add(resolved);
    }
    return out;
  }

  private static String name(ObjectNode tool, String field, String p) {
    String name = requiredString(tool, field, p);
    if (!NAME.matcher(name).matches()) {
      throw ApiError.invalidField(p + "." + field, p + "." + field + " must match " + NAME);
    }
    return name;
  }

  private static ObjectNode function(ObjectNode tool, String p) {
    ObjectNode out = AgentConfig.JSON.objectNode();
    out.put("type", "function");
    out.put("name", name(tool, "name", p));
    out.set("description", AgentConfig.nullOr(string(tool, "description", p).orElse(null)));
    out.set(
        "parameters",
        object(tool, "parameters", p).map(o -> (JsonNode) o.deepCopy()).orElse(emptySchema()));
    out.put("defer_loading", bool(tool, "defer_loading", p).orElse(false));
    return out;
  }

  private static ObjectNode emptySchema() {
    ObjectNode schema = AgentConfig.JSON.objectNode();
    schema.put("type", "object");
    schema.putObject("properties");
    return schema;
  }

  private static ObjectNode mcp(ObjectNode tool, String p) {
    ObjectNode out = AgentConfig.JSON.objectNode();
    out.put("type", "mcp");
    out.put("server_label", name(tool, "server_label", p));
    ObjectNode transport =
        object(tool, "transport", p)
            .orElseThrow(
                () -> ApiError.invalidField(p + ".transport", p + ".transport is required"));
    String tp = p + ".transport";
    if (!requiredString(transport, "type", tp).equals("http")) {
      throw ApiError.invalidField(
          tp + ".type", "only the http transport of an mcp tool is supported here");
    }
    object(transport, "headers", tp)
        .filter(h -> !h.isEmpty())
        .ifPresent(
            h -> {
              throw ApiError.invalidField(
                  tp + ".headers",
                  "headers are not taken (a secret is never sent in a request); name a secret"
                      + " granted to the tenant with x-agent-runtime-secret-ref");
            });
    ObjectNode t = out.putObject("transport");
    t.put("type", "http");
    t.put("server_url", requiredString(transport, "server_url", tp));
    t.putObject("headers");
    ArrayNode allowed = out.putArray("allowed_tools");
    array(tool, "allowed_tools", p)
        .ifPresent(a -> a.forEach(v -> allowed.add(asString(v, p + ".allowed_tools"))));
    out.put("connection_origin", "service");
    value(tool, "connection_origin")
        .filter(v -> !"service".equals(v.asText()))
        .ifPresent(
            v -> {
              throw ApiError.invalidField(
                  p + ".connection_origin", "only connection_origin service is supported here");
            });
    // A vault credential of the session's vaults (docs/vaults.md), sent as a bearer at call time;
    // without one, the single credential of those vaults whose mcp_server_url matches is taken.
    out.set("credential_id", AgentConfig.nullOr(string(tool, "credential_id", p).orElse(null)));
    out.put("required", bool(tool, "required", p).orElse(false));
    approval(tool, p, out);
    secretRef(tool, p, out);
    if (out.path("require_approval").asText().equals("always") && allowed.isEmpty()) {
      throw ApiError.invalidField(
          p + ".require_approval",
          "require_approval always needs allowed_tools: approvals are per tool here");
    }
    return out;
  }

  private static ObjectNode http(ObjectNode tool, String p) {
    ObjectNode out = AgentConfig.JSON.objectNode();
    out.put("type", HTTP_TYPE);
    out.put("name", name(tool, "name", p));
    out.put("url", requiredString(tool, "url", p));
    out.set("description", AgentConfig.nullOr(string(tool, "description", p).orElse(null)));
    out.set(
        "parameters",
        object(tool, "parameters", p).map(o -> (JsonNode) o.deepCopy()).orElse(emptySchema()));
    out.put("idempotent", bool(tool, "idempotent", p).orElse(false));
    approval(tool, p, out);
    secretRef(tool, p, out);
    return out;
  }

  private static void approval(ObjectNode tool, String p, ObjectNode out) {
    String approval =
        AgentConfig.oneOf(tool, "require_approval", p, java.util.Set.of("always", "never"))
            .orElse("never");
    out.put("require_approval", approval);
  }

  private static void secretRef(ObjectNode tool, String p, ObjectNode out) {
    string(tool, "x-agent-runtime-secret-ref", p)
        .ifPresent(ref -> out.put("x-agent-runtime-secret-ref", ref));
  }

  /**
   * The connections of resolved {@code tools}: a function tool is a client-run function of ours
   * (decision 0023), the others the connections the runtime calls.
   */
  public static List<ToolConnection> connections(JsonNode tools) {
    List<ToolConnection> out = new ArrayList<>();
    for (JsonNode t : tools) {
      String secret = t.path("x-agent-runtime-secret-ref").textValue();
      String credential = t.path("credential_id").textValue();
      if (secret == null && credential != null) {
        secret = "vault:" + credential;
      }
      switch (t.path("type").asText()) {
        case "mcp" -> {
          List<String> allow = new ArrayList<>();
          t.path("allowed_tools").forEach(v -> allow.add(v.asText()));
          out.add(
              new ToolConnection.Mcp(
                  t.get("server_label").asText(),
                  t.at("/transport/server_url").asText(),
                  allow,
                  secret));
        }
        case HTTP_TYPE ->
            out.add(
                new ToolConnection.Http(
                    t.get("name").asText(),
                    t.get("url").asText(),
                    t.path("description").textValue(),
                    t.get("parameters"),
                    t.path("idempotent").asBoolean(false),
                    secret));
        case "function" ->
            out.add(
                new ToolConnection.Function(
                    t.get("name").asText(),
                    t.path("description").textValue(),
                    t.get("parameters")));
        default -> {
          // no other type is resolved
        }
      }
    }
    return out;
  }

  /**
   * The session's policy for resolved {@code tools}: every tool allowed ({@code *}) but those that
   * {@code require_approval: "always"}, which are asked (an MCP tool's tools one by one).
   */
  public static Map<String, Permission> permissions(JsonNode tools) {
    Map<String, Permission> out = new LinkedHashMap<>();
    out.put("*", Permission.ALLOW);
    for (JsonNode t : tools) {
      if (!"always".equals(t.path("require_approval").asText())) {
        continue;
      }
      if ("mcp".equals(t.path("type").asText())) {
        String label = t.get("server_label").asText();
        t.path("allowed_tools").forEach(v -> out.put(label + "__" + v.asText(), Permission.ASK));
      } else {
        out.put(t.get("name").asText(), Permission.ASK);
      }
    }
    return out;
  }
}
