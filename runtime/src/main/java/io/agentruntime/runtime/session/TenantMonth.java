package io.agentruntime.runtime.session;

/**
 * A tenant's month as a node knows it (decision 0045): its monthly budgets (from its policy) and
 * what its sessions spent this month, each at most the ceiling refresh old unless read fresh.
 */
public record TenantMonth(TenantBudgets budgets, TenantUsage.Spent spent) {}
