package io.agentruntime.runtime.ratelimits;

import io.agentruntime.runtime.CborSerializable;
import java.time.Instant;

/**
 * A call of the counter's tool took a slot: {@code key} names the call (session, turn and call id),
 * so that the same call asking again is counted once. The one event of {@link
 * ToolCallCounterEntity}, a stored contract (its class name is the manifest; add fields only as
 * optional).
 */
public record ToolCallCounted(String key, Instant at) implements CborSerializable {}
