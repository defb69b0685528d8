package io.agentruntime.runtime.vault;

import io.agentruntime.runtime.CborSerializable;

/**
 * Who asks, within the tenant the entity belongs to. An operator creates tenant-wide vaults and
 * manages them; every user creates and manages its own; a user's own vault is seen by that user
 * only, an operator included (decision 0029).
 */
public record VaultCaller(String user, boolean operator) implements CborSerializable {}
