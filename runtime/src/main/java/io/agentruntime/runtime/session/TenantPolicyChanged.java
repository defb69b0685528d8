package io.agentruntime.runtime.session;

import io.agentruntime.runtime.CborSerializable;
import java.time.Instant;

/**
 * An operator replaced the tenant's policy: the one event of {@link TenantPolicyEntity}, a stored
 * contract like every {@link SessionEvent} (its class name is the manifest; add fields only as
 * optional).
 */
public record TenantPolicyChanged(TenantPolicy policy, String by, Instant at)
    implements CborSerializable {}
