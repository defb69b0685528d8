package io.agentruntime.runtime.agents;

import io.agentruntime.runtime.CborSerializable;
import java.time.Instant;

/**
 * What happened to a tenant's saved agents; a stored contract (class names are manifests, add
 * fields only as optional). {@code by} is the user whose request caused it.
 */
public sealed interface AgentEvent extends CborSerializable {

  /** An agent was created or replaced as a whole. */
  record AgentSaved(SavedAgent agent, String by) implements AgentEvent {}

  record AgentDeleted(String id, String by, Instant at) implements AgentEvent {}
}
