package io.agentruntime.runtime.model;

import java.util.Optional;
import java.util.Set;

/** The model providers configured on this server, by the name a session's agent gives. */
public interface ModelProviders {

  Optional<ModelClient> provider(String name);

  Set<String> names();
}
