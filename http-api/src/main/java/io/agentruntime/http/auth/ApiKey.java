package io.agentruntime.http.auth;

/**
 * One configured API key: the SHA-256 of the key (the key itself is never held) and the principal
 * it speaks for. {@code id} is the hash in hex, which names the key in rate limits.
 */
public record ApiKey(String id, byte[] sha256, Principal principal) {}
