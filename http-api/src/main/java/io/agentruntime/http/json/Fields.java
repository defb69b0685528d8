package io.agentruntime.http.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.error.ApiError;
import java.util.Optional;

/**
 * Typed reads of a request's JSON tree, field by field. A wrong type or a missing required field is
 * a 400 {@code invalid_field} whose message names the field by its full path ({@code
 * agent.limits.maxStepsPerTurn must be an integer}). JSON {@code null} counts as absent.
 */
public final class Fields {

  private Fields() {}

  /** The request body as an object. */
  public static ObjectNode body(JsonNode body) {
    if (!body.isObject()) {
      throw ApiError.invalidField("the request body must be a JSON object");
    }
    return (ObjectNode) body;
  }

  public static String path(String prefix, String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  public static Optional<JsonNode> value(ObjectNode obj, String name) {
    JsonNode v = obj.get(name);
    return v == null || v.isNull() ? Optional.empty() : Optional.of(v);
  }

  public static Optional<String> string(ObjectNode obj, String name, String prefix) {
    return value(obj, name)
        .map(
            v -> {
              if (!v.isTextual()) {
                throw wrongType(path(prefix, name), "a string");
              }
              return v.asText();
            });
  }

  public static String requiredString(ObjectNode obj, String name, String prefix) {
    return string(obj, name, prefix).orElseThrow(() -> missing(path(prefix, name)));
  }

  public static Optional<Integer> integer(ObjectNode obj, String name, String prefix) {
    return value(obj, name)
        .map(
            v -> {
              if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw wrongType(path(prefix, name), "an integer");
              }
              return v.intValue();
            });
  }

  public static Optional<Long> longInteger(ObjectNode obj, String name, String prefix) {
    return value(obj, name)
        .map(
            v -> {
              if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw wrongType(path(prefix, name), "an integer");
              }
              return v.longValue();
            });
  }

  public static Optional<Boolean> bool(ObjectNode obj, String name, String prefix) {
    return value(obj, name)
        .map(
            v -> {
              if (!v.isBoolean()) {
                throw wrongType(path(prefix, name), "true or false");
              }
              return v.booleanValue();
            });
  }

  public static Optional<ObjectNode> object(ObjectNode obj, String name, String prefix) {
    return value(obj, name).map(v -> asObject(v, path(prefix, name)));
  }

  public static Optional<ArrayNode> array(ObjectNode obj, String name, String prefix) {
    return value(obj, name)
        .map(
            v -> {
              if (!v.isArray()) {
                throw wrongType(path(prefix, name), "an array");
              }
              return (ArrayNode) v;
            });
  }

  public static ObjectNode asObject(JsonNode v, String path) {
    if (!v.isObject()) {
      throw wrongType(path, "an object");
    }
    return (ObjectNode) v;
  }

  public static String asString(JsonNode v, String path) {
    if (!v.isTextual()) {
      throw wrongType(path, "a string");
    }
    return v.asText();
  }

  public static ApiError wrongType(String path, String what) {
    return ApiError.invalidField(path, path + " must be " + what);
  }

  public static ApiError missing(String path) {
    return ApiError.invalidField(path, path + " is required");
  }
}
