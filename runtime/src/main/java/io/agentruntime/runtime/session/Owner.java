package io.agentruntime.runtime.session;

/** The tenant and user a session belongs to, fixed at creation. */
public record Owner(String tenant, String user) {}
