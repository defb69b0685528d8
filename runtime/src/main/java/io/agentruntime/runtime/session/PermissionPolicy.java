package io.agentruntime.runtime.session;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Tool name (or {@code *} for every other tool) to a permission. A tool the policy does not name,
 * with no {@code *}, is {@code ask}; the built-in memory tools are {@code allow} unless named.
 * {@code onExpiry} names, per tool (or {@code *}), what an approval of it does when nobody decides
 * in time (decision 0036): {@code deny} (the default) or {@code fail}; optional, absent from
 * policies journaled before it.
 */
public record PermissionPolicy(Map<String, Permission> tools, Map<String, String> onExpiry) {

  public static final String ANY_TOOL = "*";
  static final Set<String> BUILT_IN_TOOLS = Set.of("memory_read", "memory_write", "memory_delete");

  public PermissionPolicy {
    tools =
        tools.isEmpty()
            ? java.util.Collections.emptySortedMap()
            : java.util.Collections.unmodifiableMap(new TreeMap<>(tools));
    onExpiry =
        onExpiry == null || onExpiry.isEmpty()
            ? java.util.Collections.emptySortedMap()
            : java.util.Collections.unmodifiableMap(new TreeMap<>(onExpiry));
  }

  public PermissionPolicy(Map<String, Permission> tools) {
    this(tools, Map.of());
  }

  /**
   * What an approval of {@code toolName} does when it expires: the tool's entry, else {@code *}'s,
   * else {@link Approval#ON_EXPIRY_DENY}.
   */
  public String onExpiryOf(String toolName) {
    String named = onExpiry.get(toolName);
    if (named != null) {
      return named;
    }
    return onExpiry.getOrDefault(ANY_TOOL, Approval.ON_EXPIRY_DENY);
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

  /** The stricter of two permissions: deny over ask over allow. */
  public static Permission stricter(Permission a, Permission b) {
    return a.ordinal() >= b.ordinal() ? a : b;
  }

  /** A tool whose permission a new policy loosens; {@code tool} is {@code *} for unnamed tools. */
  public record Loosening(String tool, Permission from, Permission to) {}

  /**
   * The first tool whose permission {@code next} loosens: a tool either policy names, a built-in
   * tool, or {@code *} for every tool neither names (those of the future too). Empty when {@code
   * next} keeps or tightens every permission.
   */
  public Optional<Loosening> loosenedBy(PermissionPolicy next) {
    Set<String> names = new TreeSet<>(tools.keySet());
    names.addAll(next.tools.keySet());
    names.addAll(BUILT_IN_TOOLS);
    names.remove(ANY_TOOL);
    for (String name : names) {
      if (next.decide(name).ordinal() < decide(name).ordinal()) {
        return Optional.of(new Loosening(name, decide(name), next.decide(name)));
      }
    }
    Permission before = tools.getOrDefault(ANY_TOOL, Permission.ASK);
    Permission after = next.tools.getOrDefault(ANY_TOOL, Permission.ASK);
    return after.ordinal() < before.ordinal()
        ? Optional.of(new Loosening(ANY_TOOL, before, after))
        : Optional.empty();
  }
}
