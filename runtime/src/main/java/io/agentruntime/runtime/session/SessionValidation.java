package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.tools.ToolConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules a session's inputs must meet, checked before anything is persisted. Each check names
 * the offending field the way the API spells it.
 */
public final class SessionValidation {

  public static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  static final Pattern POLICY_KEY = Pattern.compile("\\*|[A-Za-z0-9_-]{1,130}");
  static final Pattern MEMORY_KEY = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
  static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  static final Pattern SECRET_REF = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

  /**
   * A vault credential (decision 0029): {@code vault:<vault_id>/<credential_id>}, or {@code
   * vault:<credential_id>} for the credential of that id among the session's vaults (an Agents-API
   * MCP tool's {@code credential_id}).
   */
  static final Pattern VAULT_REF =
      Pattern.compile("vault:([A-Za-z0-9_-]{1,64}/)?[A-Za-z0-9_-]{1,64}");

  static final int MAX_STEPS = 1000;
  static final int MAX_TURN_SECONDS = 86_400;
  static final int MAX_METADATA_CHARS = 4096;
  static final int MAX_MEMORY_DEPTH = 64;

  private final SessionSettings settings;

  public SessionValidation(SessionSettings settings) {
    this.settings = settings;
  }

  Optional<Problem> spec(SessionSpec spec) {
    return first(
        agent(spec.agent()),
        tools(spec.tools()),
        permissions(spec.permissions(), "permissions.tools"),
        memory(spec.memory()),
        metadata(spec.metadata()));
  }

  Optional<Problem> agent(AgentDefinition agent) {
    if (agent == null) {
      return invalid("agent", "is required");
    }
    if (agent.instructions() == null) {
      return invalid("agent.instructions", "is required");
    }
    if (agent.instructions().length() > settings.maxInstructionsChars()) {
      return tooLarge("agent.instructions", settings.maxInstructionsChars() + " characters");
    }
    if (agent.model() == null || !MODEL_NAME.matcher(agent.model()).matches()) {
      return invalid("agent.model", "must match " + MODEL_NAME.pattern());
    }
    Limits limits = agent.limits();
    if (limits == null) {
      return invalid("agent.limits", "is required");
    }
    if (limits.maxStepsPerTurn() < 1 || limits.maxStepsPerTurn() > MAX_STEPS) {
      return invalid("agent.limits.maxStepsPerTurn", "must be between 1 and " + MAX_STEPS);
    }
    if (limits.maxTurnSeconds() < 1 || limits.maxTurnSeconds() > MAX_TURN_SECONDS) {
      return invalid("agent.limits.maxTurnSeconds", "must be between 1 and " + MAX_TURN_SECONDS);
    }
    return Optional.empty();
  }

  Optional<Problem> tools(List<ToolConnection> tools) {
    if (tools.size() > settings.maxTools()) {
      return tooLarge("tools", settings.maxTools() + " tools");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < tools.size(); i++) {
      Optional<Problem> problem = tool(tools.get(i), "tools[" + i + "].");
      if (problem.isPresent()) {
        return problem;
      }
      if (!names.add(tools.get(i).name())) {
        return invalid("tools[" + i + "].name", "names a tool twice: " + tools.get(i).name());
      }
    }
    return Optional.empty();
  }

  Optional<Problem> tool(ToolConnection tool, String prefix) {
    if (tool == null) {
      return invalid(
          prefix.isEmpty() ? "tool" : prefix.substring(0, prefix.length() - 1), "is required");
    }
    if (tool.name() == null || !TOOL_NAME.matcher(tool.name()).matches()) {
      return invalid(prefix + "name", "must match " + TOOL_NAME.pattern());
    }
    if (tool instanceof ToolConnection.Mcp && tool.name().contains("__")) {
      return invalid(prefix + "name", "must not contain '__', which separates server and tool");
    }
    if (PermissionPolicy.BUILT_IN_TOOLS.contains(tool.name())
        || ScheduleWakeup.NAME.equals(tool.name())) {
      return invalid(prefix + "name", "is the name of a built-in tool");
    }
    if (tool instanceof ToolConnection.Function fn) {
      // Run by the client: no URL and no secret, only what the model is shown.
      return fn.parameters() != null && !fn.parameters().isObject()
          ? invalid(prefix + "parameters", "must be a JSON Schema object")
          : Optional.empty();
    }
    if (!isHttpUrl(tool.url())) {
      return invalid(prefix + "url", "must be an absolute http or https URL");
    }
    if (hasUserInfo(tool.url())) {
      // A credential in the URL would be journaled; credentials are named by secretRef only.
      return invalid(prefix + "url", "must not carry credentials; name a secret with secretRef");
    }
    if (tool.secretRef() != null
        && !SECRET_REF.matcher(tool.secretRef()).matches()
        && !VAULT_REF.matcher(tool.secretRef()).matches()) {
      return invalid(
          prefix + "secretRef",
          "must be the name of a secret, matching "
              + SECRET_REF.pattern()
              + ", or a vault credential, vault:<vault_id>/<credential_id> or"
              + " vault:<credential_id>");
    }
    if (tool instanceof ToolConnection.Http http
        && http.parameters() != null
        && !http.parameters().isObject()) {
      return invalid(prefix + "parameters", "must be a JSON Schema object");
    }
    return Optional.empty();
  }

  Optional<Problem> permissions(PermissionPolicy policy, String field) {
    if (policy == null) {
      return invalid(field, "is required");
    }
    for (String key : policy.tools().keySet()) {
      if (!POLICY_KEY.matcher(key).matches()) {
        return invalid(field, "names an invalid tool: " + abbreviate(key));
      }
    }
    return Optional.empty();
  }

  Optional<Problem> memory(Map<String, JsonNode> memory) {
    if (memory.size() > settings.maxMemoryEntries()) {
      return tooLarge("memory", settings.maxMemoryEntries() + " entries");
    }
    for (Map.Entry<String, JsonNode> entry : memory.entrySet()) {
      Optional<Problem> problem = memoryEntry(entry.getKey(), entry.getValue(), "memory.");
      if (problem.isPresent()) {
        return problem;
      }
    }
    return Optional.empty();
  }

  Optional<Problem> memoryEntry(String key, JsonNode value, String prefix) {
    if (key == null || !MEMORY_KEY.matcher(key).matches()) {
      return invalid(
          prefix + abbreviate(key == null ? "" : key),
          "a memory key must match " + MEMORY_KEY.pattern());
    }
    if (value == null || value.isMissingNode()) {
      return invalid(prefix + key, "a memory value is required");
    }
    if (depth(value) > MAX_MEMORY_DEPTH) {
      // Deeper values would not fit the JSON writers' nesting limit inside a reply or an event.
      return tooLarge(prefix + key, MAX_MEMORY_DEPTH + " levels of nesting");
    }
    if (value.toString().getBytes(StandardCharsets.UTF_8).length > settings.maxMemoryValueBytes()) {
      return tooLarge(prefix + key, settings.maxMemoryValueBytes() + " bytes of JSON");
    }
    return Optional.empty();
  }

  Optional<Problem> metadata(Map<String, String> metadata) {
    if (metadata.size() > settings.maxMetadataEntries()) {
      return tooLarge("metadata", settings.maxMetadataEntries() + " entries");
    }
    for (Map.Entry<String, String> entry : metadata.entrySet()) {
      if (entry.getValue() == null) {
        return invalid("metadata." + abbreviate(entry.getKey()), "must be a string");
      }
      if (entry.getKey().length() > 128 || entry.getValue().length() > MAX_METADATA_CHARS) {
        return tooLarge(
            "metadata." + abbreviate(entry.getKey()), "128 characters a key, 4096 a value");
      }
    }
    return Optional.empty();
  }

  Optional<Problem> message(String content) {
    if (content == null || content.isBlank()) {
      return invalid("content", "must not be empty");
    }
    if (content.length() > settings.maxMessageChars()) {
      return tooLarge("content", settings.maxMessageChars() + " characters");
    }
    return Optional.empty();
  }

  private static boolean isHttpUrl(String url) {
    if (url == null) {
      return false;
    }
    try {
      URI uri = new URI(url);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private static boolean hasUserInfo(String url) {
    try {
      return new URI(url).getRawUserInfo() != null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  @SafeVarargs
  private static Optional<Problem> first(Optional<Problem>... checks) {
    for (Optional<Problem> check : checks) {
      if (check.isPresent()) {
        return check;
      }
    }
    return Optional.empty();
  }

  /**
   * How deep arrays and objects nest in {@code value} (a scalar is 0), counted without recursion.
   */
  static int depth(JsonNode value) {
    int deepest = 0;
    java.util.ArrayDeque<java.util.Map.Entry<JsonNode, Integer>> open =
        new java.util.ArrayDeque<>();
    open.push(java.util.Map.entry(value, 0));
    while (!open.isEmpty()) {
      var next = open.pop();
      if (next.getKey().isContainerNode()) {
        int level = next.getValue() + 1;
        deepest = Math.max(deepest, level);
        next.getKey().forEach(child -> open.push(java.util.Map.entry(child, level)));
      }
    }
    return deepest;
  }

  private static Optional<Problem> invalid(String field, String message) {
    return Optional.of(Problem.invalid(field, field + " " + message));
  }

  private static Optional<Problem> tooLarge(String field, String limit) {
    return Optional.of(Problem.tooLarge(field, field + " is over the limit of " + limit));
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
