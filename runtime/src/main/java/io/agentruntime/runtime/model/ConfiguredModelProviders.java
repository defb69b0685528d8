package io.agentruntime.runtime.model;

import com.typesafe.config.Config;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** The model providers named in configuration ({@link ModelSettings}), one client each. */
public final class ConfiguredModelProviders implements ModelProviders {

  private final Map<String, ModelClient> clients;

  /** Providers given by name, as they are; for tests and embedders with clients of their own. */
  public ConfiguredModelProviders(Map<String, ModelClient> clients) {
    this.clients = Collections.unmodifiableMap(new TreeMap<>(clients));
  }

  public static ConfiguredModelProviders fromConfig(Config root) {
    return create(ModelSettings.fromConfig(root));
  }

  public static ConfiguredModelProviders create(ModelSettings settings) {
    Map<String, ModelClient> clients = new TreeMap<>();
    ScriptedModel scripted = new ScriptedModel();
    settings.scripted().forEach(name -> clients.put(name, scripted));
    settings.openAi().forEach((name, openAi) -> clients.put(name, new OpenAiChatClient(openAi)));
    settings
        .prices()
        .forEach(
            (name, price) ->
                clients.computeIfPresent(
                    name, (n, client) -> new PricedModelClient(client, price)));
    return new ConfiguredModelProviders(clients);
  }

  @Override
  public Optional<ModelClient> provider(String name) {
    return name == null ? Optional.empty() : Optional.ofNullable(clients.get(name));
  }

  @Override
  public Set<String> names() {
    return clients.keySet();
  }

  /** Names and what serves them; API keys show only as set or not. */
  @Override
  public String toString() {
    return "ConfiguredModelProviders" + clients;
  }
}
