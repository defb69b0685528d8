package io.agentruntime.runtime.session;

import com.typesafe.config.Config;
import io.agentruntime.runtime.directory.SessionDirectory;
import io.agentruntime.runtime.model.ModelProviders;
import io.agentruntime.runtime.tools.ToolExecutor;
import java.time.Clock;

/** What a session entity works with: its settings and the outside world it may call. */
public record SessionRuntime(
    SessionSettings settings,
    TurnSettings turns,
    SessionDirectory directory,
    ModelProviders models,
    ToolExecutor tools,
    Clock clock) {

  public static SessionRuntime of(
      Config config, SessionDirectory directory, ModelProviders models, ToolExecutor tools) {
    return new SessionRuntime(
        SessionSettings.fromConfig(config), TurnSettings.fromConfig(config), directory, models, tools,
        Clock.systemUTC());
  }
}
