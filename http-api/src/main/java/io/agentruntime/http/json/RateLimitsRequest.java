package io.agentruntime.http.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.runtime.ratelimits.RateLimit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@code rateLimits} of {@code PUT /v1/policy} (decision 0046): {@code {"send_email": {"perHour":
 * 10}}}, per tool at least one of {@code perMinute}, {@code perHour}, {@code perDay}, each a whole
 * number from 1 to {@value #MOST_PER_WINDOW}. Anything else is a 400 naming the field.
 */
public final class RateLimitsRequest {

  /** The most calls a window may allow: a counter keeps every call of its longest window. */
  public static final int MOST_PER_WINDOW = 10_000;

  /** The most tools a tenant may limit. */
  public static final int MOST_TOOLS = 100;

  /** A tool's name as the model calls it (an MCP server's tools: {@code server__tool}). */
  private static final Pattern TOOL = Pattern.compile("[A-Za-z0-9_-]{1,130}");

  private static final Set<String> WINDOWS = Set.of("perMinute", "perHour", "perDay");

  private RateLimitsRequest() {}

  /** A tool's limit as the API shows it; an unset window is left out. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RateLimitBody(Integer perMinute, Integer perHour, Integer perDay) {

    /** Every tool's limit, by tool name. */
    public static Map<String, RateLimitBody> of(Map<String, RateLimit> limits) {
      Map<String, RateLimitBody> bodies = new TreeMap<>();
      limits.forEach(
          (tool, l) -> bodies.put(tool, new RateLimitBody(l.perMinute(), l.perHour(), l.perDay())));
      return bodies;
    }
  }

  /** The limits in {@code rateLimits} (absent or null: none). */
  public static Map<String, RateLimit> read(ObjectNode body) {
    Map<String, RateLimit> limits = new LinkedHashMap<>();
    Fields.object(body, "rateLimits", "")
        .ifPresent(
            all -> {
              if (all.size() > MOST_TOOLS) {
                throw ApiError.invalidField(
                    "rateLimits", "rateLimits may limit at most " + MOST_TOOLS + " tools");
              }
              all.properties()
                  .forEach(e -> limits.put(e.getKey(), limit(e.getKey(), e.getValue())));
            });
    return limits;
  }

  private static RateLimit limit(String tool, JsonNode value) {
    String field = "rateLimits." + tool;
    if (!TOOL.matcher(tool).matches()) {
      throw ApiError.invalidField(
          field, field + ": a tool's name is 1 to 130 letters, digits, _ or -");
    }
    ObjectNode windows = Fields.asObject(value, field);
    windows
        .fieldNames()
        .forEachRemaining(
            name -> {
              if (!WINDOWS.contains(name)) {
                throw ApiError.invalidField(
                    field + "." + name,
                    field + "." + name + " is not a window: perMinute, perHour or perDay");
              }
            });
    RateLimit limit =
        new RateLimit(
            count(windows, "perMinute", field),
            count(windows, "perHour", field),
            count(windows, "perDay", field));
    if (limit.windows().isEmpty()) {
      throw ApiError.invalidField(
          field, field + " needs at least one of perMinute, perHour, perDay");
    }
    return limit;
  }

  private static Integer count(ObjectNode windows, String name, String field) {
    return Fields.integer(windows, name, field)
        .map(
            n -> {
              if (n < 1 || n > MOST_PER_WINDOW) {
                throw ApiError.invalidField(
                    field + "." + name,
                    field + "." + name + " must be from 1 to " + MOST_PER_WINDOW);
              }
              return n;
            })
        .orElse(null);
  }
}
