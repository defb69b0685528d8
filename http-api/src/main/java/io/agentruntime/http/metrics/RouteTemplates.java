package io.agentruntime.http.metrics;

import java.util.Set;

/**
 * The route template of a request path, e.g. {@code /v1/sessions/{id}/turns/{turnId}/cancel}: a
 * label with a handful of values, whatever ids clients send. A path the API does not serve is
 * {@code other}.
 */
public final class RouteTemplates {

  private static final Set<String> FIXED =
      Set.of(
          "/health/alive",
          "/health/ready",
          "/metrics",
          "/v1/openapi.json",
          "/v1/sessions",
          "/v1/policy",
          "/v1/approvals",
          "/v1/approvals/events",
          "/v1/me",
          "/v1/cluster");
  private static final Set<String> PARTS =
      Set.of("memory", "tools", "permissions", "messages", "turns", "approvals", "events");
  private static final Set<String> ACTIONS = Set.of("suspend", "resume", "terminate", "erase");

  private RouteTemplates() {}

  public static String of(String path) {
    String trimmed =
        path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (FIXED.contains(trimmed)) {
      return trimmed;
    }
    if (trimmed.matches("/v1/cluster/members/[^/]+/leave")) {
      return "/v1/cluster/members/{node}/leave";
    }
    if (!trimmed.startsWith("/v1/sessions/")) {
      return "other";
    }
    String[] s = trimmed.substring("/v1/sessions/".length()).split("/", -1);
    if (s[0].isEmpty()) {
      return "other";
    }
    String base = "/v1/sessions/{id}";
    if (s.length == 1) {
      return base;
    }
    if (s.length == 2 && ACTIONS.contains(s[1])) {
      return base + "/" + s[1];
    }
    if (!PARTS.contains(s[1])) {
      return "other";
    }
    String part = base + "/" + s[1];
    return switch (s.length) {
      case 2 -> part;
      case 3 -> part + "/" + item(s[1]);
      case 4 -> s[1].equals("turns") && s[3].equals("cancel") ? part + "/{turnId}/cancel" : "other";
      default -> "other";
    };
  }

  private static String item(String part) {
    return switch (part) {
      case "memory" -> "{key}";
      case "tools" -> "{name}";
      case "turns" -> "{turnId}";
      case "approvals" -> "{approvalId}";
      default -> "{item}";
    };
  }
}
