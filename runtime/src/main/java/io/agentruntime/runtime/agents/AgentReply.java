package io.agentruntime.runtime.agents;

import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.session.Problem;
import java.util.List;

/** What the tenant's agent catalog answers. */
public sealed interface AgentReply extends CborSerializable {

  record Found(SavedAgent agent) implements AgentReply {}

  /** A page of agents in the order asked; {@code hasMore} when more follow it. */
  record Listed(List<SavedAgent> agents, boolean hasMore) implements AgentReply {
    public Listed {
      agents = List.copyOf(agents);
    }
  }

  record Deleted(String id) implements AgentReply {}

  record Refused(Problem problem) implements AgentReply {}
}
