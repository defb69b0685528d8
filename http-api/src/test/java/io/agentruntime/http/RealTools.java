package io.agentruntime.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.agentruntime.runtime.directory.InMemorySessionDirectory;
import io.agentruntime.runtime.model.ConfiguredModelProviders;
import io.agentruntime.runtime.model.ModelClient;
import io.agentruntime.runtime.model.ModelRequest;
import io.agentruntime.runtime.model.ScriptedModel;
import io.agentruntime.runtime.session.SessionRuntime;
import io.agentruntime.runtime.tools.RoutingToolExecutor;
import io.agentruntime.runtime.tools.ToolSettings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The sessions of a test node with the node's own tool executor (real HTTP tools and MCP servers,
 * the secrets file of its config) and the scripted model, which records what it was offered.
 */
final class RealTools implements AutoCloseable {

  final List<ModelRequest> modelRequests = new CopyOnWriteArrayList<>();
  private RoutingToolExecutor executor;

  SessionRuntime runtime(Config config) {
    ScriptedModel scripted = new ScriptedModel();
    ModelClient recording =
        (request, onDelta) -> {
          modelRequests.add(request);
          return scripted.complete(request, onDelta);
        };
    executor = RoutingToolExecutor.create(ToolSettings.fromConfig(config), new ObjectMapper());
    return SessionRuntime.of(
        config,
        new InMemorySessionDirectory(),
        new ConfiguredModelProviders(Map.of("default", recording, "scripted", recording)),
        executor);
  }

  /** The names of the tools the model was offered, call by call. */
  List<List<String>> offered() {
    return modelRequests.stream().map(r -> r.tools().stream().map(t -> t.name()).toList()).toList();
  }

  @Override
  public void close() {
    if (executor != null) {
      executor.close();
    }
  }
}
