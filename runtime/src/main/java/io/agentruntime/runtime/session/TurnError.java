package io.agentruntime.runtime.session;

/** Why a turn failed or was cancelled, with a stable code for clients. */
public record TurnError(String code, String message) {}
