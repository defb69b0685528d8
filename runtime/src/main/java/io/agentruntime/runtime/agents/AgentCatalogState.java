package io.agentruntime.runtime.agents;

import io.agentruntime.runtime.CborSerializable;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A tenant's saved agents by id; event handlers fold into it and never throw. */
public record AgentCatalogState(Map<String, SavedAgent> agents) implements CborSerializable {

  static final AgentCatalogState EMPTY = new AgentCatalogState(Map.of());

  /** Oldest first; agents made in the same instant by id. */
  static final Comparator<SavedAgent> CREATION =
      Comparator.comparing(SavedAgent::createdAt).thenComparing(SavedAgent::id);

  public AgentCatalogState {
    agents = agents == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(agents));
  }

  AgentCatalogState apply(AgentEvent event) {
    Map<String, SavedAgent> next = new LinkedHashMap<>(agents);
    if (event instanceof AgentEvent.AgentSaved saved) {
      next.put(saved.agent().id(), saved.agent());
    } else if (event instanceof AgentEvent.AgentDeleted deleted) {
      next.remove(deleted.id());
    }
    return new AgentCatalogState(next);
  }

  List<SavedAgent> inCreationOrder() {
    return agents.values().stream().sorted(CREATION).toList();
  }
}
