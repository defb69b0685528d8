package io.agentruntime.runtime.ratelimits;

import io.agentruntime.runtime.CborSerializable;

/**
 * A call of a tool would start over its tenant's rate limit: {@code count} calls (at least {@code
 * limit}) started in the last {@code window} (minute, hour or day). Journaled with the approval it
 * asks (decision 0046), so a stored contract: add fields only as optional. {@code count} is null
 * when the tenant's count could not be read, and {@code window} and {@code limit} too when its
 * policy could not be read: the call is held for a human all the same.
 */
public record RateLimitHit(String window, Integer limit, Integer count)
    implements CborSerializable {}
