package io.agentruntime.runtime.session;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Tool name (or {@code *} for every other tool) to a permission. A tool the policy does not name,
 * with no {@code *}, is {@code ask}; the built-in memory tools are {@code allow} unless named.
 */
public record PermissionPolicy(Map<String, Permission> tools) {

  public static final String ANY_TOOL = "*";
  static final Set<String> BUILT_IN_TOOLS = Set.of("memory_read", "memory_write", "memory_delete");

  public PermissionPolicy {
    tools =
        tools.isEmpty()
            ? java.util.Collections.emptySortedMap()
            : java.util.Collections.unmodifiableMap(new TreeMap<>(tools));
  }

  public static PermissionPolicy empty() {
    return new PermissionPolicy(Map.of());
  }

  public Permission decide(String toolName) {
    Permission named = tools.get(toolName);
    if (named != null) {
      return named;
    }
    if (BUILT_IN_TOOLS.contains(toolName)) {
      return Permission.ALLOW;
    }
    return tools.getOrDefault(ANY_TOOL, Permission.ASK);
  }
}
