package io.agentruntime.runtime.session;

import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.ratelimits.RateLimit;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tenant's governance over every one of its sessions, set by an operator ({@code PUT /v1/policy},
 * decision 0018). {@code tools} is a ceiling: a call's permission is the stricter of the session's
 * policy and the ceiling. A tool the ceiling does not name falls under its {@code *}; with no
 * {@code *} the ceiling leaves it to the session. As in a session's policy, a built-in memory tool
 * is governed only when named. {@code suspended}: an operator stopped the tenant (decision 0042):
 * its sessions start no model or tool call and take no message until it is resumed (absent in
 * events before it: false). {@code rateLimits}: how many calls of a tool the tenant's sessions may
 * start together per minute, hour or day (decision 0046; absent in events before it: none). {@code
 * budgets}: the tenant's monthly budgets (decision 0045; absent in events before them: none). More
 * fields may come: absent ones are none.
 */
public record TenantPolicy(
    PermissionPolicy tools,
    boolean suspended,
    Map<String, RateLimit> rateLimits,
    TenantBudgets budgets)
    implements CborSerializable {

  /** No ceiling: every session's own policy decides. */
  public static final TenantPolicy NONE = new TenantPolicy(PermissionPolicy.empty());

  /**
   * What a session decides a model's calls with when the ceiling cannot be read: a human is asked
   * about every external tool, and the approval is checked again against the real ceiling.
   */
  public static final TenantPolicy UNREADABLE =
      new TenantPolicy(new PermissionPolicy(Map.of(PermissionPolicy.ANY_TOOL, Permission.ASK)));

  public TenantPolicy {
    tools = tools == null ? PermissionPolicy.empty() : tools;
    rateLimits =
        rateLimits == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new TreeMap<>(rateLimits));
    budgets = budgets == null ? TenantBudgets.NONE : budgets;
  }

  public TenantPolicy(
      PermissionPolicy tools, boolean suspended, Map<String, RateLimit> rateLimits) {
    this(tools, suspended, rateLimits, TenantBudgets.NONE);
  }

  public TenantPolicy(PermissionPolicy tools, boolean suspended, TenantBudgets budgets) {
    this(tools, suspended, Map.of(), budgets);
  }

  public TenantPolicy(PermissionPolicy tools, boolean suspended) {
    this(tools, suspended, Map.of(), TenantBudgets.NONE);
  }

  public TenantPolicy(PermissionPolicy tools) {
    this(tools, false);
  }

  public TenantPolicy withSuspended(boolean now) {
    return new TenantPolicy(tools, now, rateLimits, budgets);
  }

  /** This policy with its monthly budgets {@code now} (decision 0045). */
  public TenantPolicy withBudgets(TenantBudgets now) {
    return new TenantPolicy(tools, suspended, rateLimits, now);
  }

  /** The most the ceiling allows for {@code tool}. */
  public Permission limit(String tool) {
    Permission named = tools.tools().get(tool);
    if (named != null) {
      return named;
    }
    if (PermissionPolicy.BUILT_IN_TOOLS.contains(tool)) {
      return Permission.ALLOW;
    }
    return tools.tools().getOrDefault(PermissionPolicy.ANY_TOOL, Permission.ALLOW);
  }

  /** The permission a call of {@code tool} has: the stricter of {@code session} and the ceiling. */
  public Permission effective(PermissionPolicy session, String tool) {
    return PermissionPolicy.stricter(session.decide(tool), limit(tool));
  }
}
