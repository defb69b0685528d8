package io.agentruntime.http.agents;

import static io.agentruntime.http.json.Fields.array;
import static io.agentruntime.http.json.Fields.asString;
import static io.agentruntime.http.json.Fields.bool;
import static io.agentruntime.http.json.Fields.integer;
import static io.agentruntime.http.json.Fields.object;
import static io.agentruntime.http.json.Fields.path;
import static io.agentruntime.http.json.Fields.string;
import static io.agentruntime.http.json.Fields.value;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.json.Fields;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An Agents-API agent's configuration as the API resolves it (section 2.2 of the reference): the
 * fields a request sends over the defaults ({@code reasoning} nulls, text format {@code text} at
 * verbosity {@code medium}, tier {@code auto}, no tools, empty metadata), checked field by field; a
 * wrong type or value is a 400 naming the field ({@code param}). Pure: table-tested.
 */
public final class AgentConfig {

  static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Set<String> TIERS =
      Set.of("auto", "default", "flex", "priority", "fast", "ultrafast");
  private static final Set<String> EFFORTS =
      Set.of("none", "minimal", "low", "medium", "high", "xhigh", "max");
  private static final Set<String> SUMMARIES = Set.of("concise", "detailed", "auto");
  private static final Set<String> VERBOSITY = Set.of("low", "medium", "high");
  static final int MAX_METADATA = 16;

  private AgentConfig() {}

  /** The defaults of every field but {@code model}. */
  public static ObjectNode defaults() {
    ObjectNode a = JSON.objectNode();
    a.putNull("instructions");
    a.putNull("name");
    a.putObject("metadata");
    ObjectNode multi = a.putObject("multi_agent");
    multi.put("enabled", false);
    multi.putNull("max_concurrent_subagents");
    ObjectNode reasoning = a.putObject("reasoning");
    reasoning.putNull("effort");
    reasoning.putNull("summary");
    a.put("service_tier", "auto");
    a.set("text", defaultText());
    a.putArray("tools");
    return a;
  }

  private static ObjectNode defaultText() {
    ObjectNode text = JSON.objectNode();
    text.putObject("format").put("type", "text");
    text.put("verbosity", "medium");
    return text;
  }

  /**
   * {@code base} with the fields {@code request} sends applied ({@code prefix} names where the
   * request is: "" or "agent"); {@code modelKnown} says whether a model name is configured. Fields
   * the request leaves out keep {@code base}'s; {@code reasoning: null} resets it, {@code metadata}
   * replaces the whole map.
   */
  public static ObjectNode apply(
      ObjectNode base, ObjectNode request, String prefix, Predicate<String> modelKnown) {
    ObjectNode a = base.deepCopy();
    string(request, "model", prefix)
        .ifPresent(
            model -> {
              if (!modelKnown.test(model)) {
                String param = path(prefix, "model");
                throw ApiError.invalidField(
                    param,
                    "model '"
                        + model
                        + "' is not a model provider of this server (e.g. default, scripted)");
              }
              a.put("model", model);
            });
    if (request.has("instructions")) {
      a.set("instructions", nullOr(string(request, "instructions", prefix).orElse(null)));
    }
    if (request.has("name")) {
      a.set("name", nullOr(string(request, "name", prefix).orElse(null)));
    }
    if (request.has("metadata")) {
      a.set("metadata", metadata(request, prefix));
    }
    if (request.has("multi_agent")) {
      a.set("multi_agent", multiAgent(request, prefix));
    }
    if (request.has("reasoning")) {
      a.set("reasoning", reasoning(request, prefix));
    }
    if (request.has("service_tier")) {
      a.put("service_tier", oneOf(request, "service_tier", prefix, TIERS).orElse("auto"));
    }
    if (request.has("text")) {
      a.set("text", text(request, prefix));
    }
    array(request, "tools", prefix)
        .ifPresent(tools -> a.set("tools", AgentTools.resolve(tools, path(prefix, "tools"))));
    return a;
  }

  /** The metadata map: at most 16 pairs, keys up to 64 characters, values up to 512. */
  public static ObjectNode metadata(ObjectNode request, String prefix) {
    ObjectNode out = JSON.objectNode();
    String param = path(prefix, "metadata");
    object(request, "metadata", prefix)
        .ifPresent(
            m -> {
              if (m.size() > MAX_METADATA) {
                throw ApiError.invalidField(param, param + " holds at most 16 pairs");
              }
              m.properties()
                  .forEach(
                      e -> {
                        String v = asString(e.getValue(), param + "." + e.getKey());
                        if (e.getKey().length() > 64) {
                          throw ApiError.invalidField(
                              param,
                              param
                                  + " keys are at most 64 characters: "
                                  + e.getKey().substring(0, 64)
                                  + "...");
                        }
                        if (v.length() > 512) {
                          String field = param + "." + e.getKey();
                          throw ApiError.invalidField(field, field + " is over 512 characters");
                        }
                        out.put(e.getKey(), v);
                      });
            });
    return out;
  }

  private static ObjectNode multiAgent(ObjectNode request, String prefix) {
    ObjectNode out = JSON.objectNode();
    out.put("enabled", false);
    out.putNull("max_concurrent_subagents");
    object(request, "multi_agent", prefix)
        .ifPresent(
            m -> {
              String p = path(prefix, "multi_agent");
              if (bool(m, "enabled", p).orElse(false)) {
                throw ApiError.invalidField(
                    path(p, "enabled"), "subagents (multi_agent.enabled) are not supported here");
              }
              integer(m, "max_concurrent_subagents", p);
            });
    return out;
  }

  private static ObjectNode reasoning(ObjectNode request, String prefix) {
    ObjectNode out = JSON.objectNode();
    out.putNull("effort");
    out.putNull("summary");
    object(request, "reasoning", prefix)
        .ifPresent(
            r -> {
              String p = path(prefix, "reasoning");
              oneOf(r, "effort", p, EFFORTS).ifPresent(v -> out.put("effort", v));
              oneOf(r, "summary", p, SUMMARIES).ifPresent(v -> out.put("summary", v));
            });
    return out;
  }

  private static ObjectNode text(ObjectNode request, String prefix) {
    ObjectNode out = defaultText();
    object(request, "text", prefix)
        .ifPresent(
            t -> {
              String p = path(prefix, "text");
              oneOf(t, "verbosity", p, VERBOSITY).ifPresent(v -> out.put("verbosity", v));
              object(t, "format", p)
                  .ifPresent(
                      f -> {
                        String type = Fields.requiredString(f, "type", path(p, "format"));
                        if (!type.equals("text") && !type.equals("json_schema")) {
                          throw ApiError.invalidField(
                              path(p, "format.type"),
                              "text.format.type must be text or json_schema");
                        }
                        out.set("format", f.deepCopy());
                      });
            });
    return out;
  }

  static java.util.Optional<String> oneOf(
      ObjectNode obj, String name, String prefix, Set<String> allowed) {
    return string(obj, name, prefix)
        .map(
            v -> {
              if (!allowed.contains(v)) {
                String p = path(prefix, name);
                throw ApiError.invalidField(
                    p,
                    p + " must be one of " + String.join(", ", new java.util.TreeSet<>(allowed)));
              }
              return v;
            });
  }

  static JsonNode nullOr(String text) {
    return text == null ? JSON.nullNode() : JSON.textNode(text);
  }

  /** Whether {@code obj} sends {@code name} (as anything but JSON null). */
  static boolean sends(ObjectNode obj, String name) {
    return value(obj, name).isPresent();
  }

  static ArrayNode array0() {
    return JSON.arrayNode();
  }
}
