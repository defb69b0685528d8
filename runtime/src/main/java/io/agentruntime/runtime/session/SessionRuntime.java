package io.agentruntime.runtime.session;

import com.typesafe.config.Config;
import io.agentruntime.runtime.directory.SessionDirectory;
import io.agentruntime.runtime.metrics.SessionMetrics;
import io.agentruntime.runtime.model.ModelProviders;
import io.agentruntime.runtime.tools.ToolExecutor;
import java.time.Clock;

/**
 * What a session entity works with: its settings, the outside world it may call, the node's metrics
 * it reports to, and where it reads its tenant's policy ceiling.
 */
public record SessionRuntime(
    SessionSettings settings,
    TurnSettings turns,
    SessionDirectory directory,
    ModelProviders models,
    ToolExecutor tools,
    Clock clock,
    SessionMetrics metrics,
    TenantCeilings ceilings,
    LifecycleFeed lifecycle) {

  /** A runtime whose sessions' lifecycle changes go nowhere (no webhooks). */
  public SessionRuntime(
      SessionSettings settings,
      TurnSettings turns,
      SessionDirectory directory,
      ModelProviders models,
      ToolExecutor tools,
      Clock clock,
      SessionMetrics metrics,
      TenantCeilings ceilings) {
    this(settings, turns, directory, models, tools, clock, metrics, ceilings, LifecycleFeed.NONE);
  }

  /** A runtime whose tenants have no ceiling. */
  public SessionRuntime(
      SessionSettings settings,
      TurnSettings turns,
      SessionDirectory directory,
      ModelProviders models,
      ToolExecutor tools,
      Clock clock,
      SessionMetrics metrics) {
    this(settings, turns, directory, models, tools, clock, metrics, TenantCeilings.NONE);
  }

  /** The same runtime, reporting to {@code metrics}. */
  public SessionRuntime withMetrics(SessionMetrics metrics) {
    return new SessionRuntime(
        settings, turns, directory, models, tools, clock, metrics, ceilings, lifecycle);
  }

  /** The same runtime, reading the tenants' ceilings from {@code ceilings}. */
  public SessionRuntime withCeilings(TenantCeilings ceilings) {
    return new SessionRuntime(
        settings, turns, directory, models, tools, clock, metrics, ceilings, lifecycle);
  }

  /** The same runtime, handing its sessions' lifecycle changes to {@code lifecycle} (webhooks). */
  public SessionRuntime withLifecycle(LifecycleFeed lifecycle) {
    return new SessionRuntime(
        settings, turns, directory, models, tools, clock, metrics, ceilings, lifecycle);
  }

  /** The same runtime, calling tools through {@code next}. */
  public SessionRuntime withTools(ToolExecutor next) {
    return new SessionRuntime(
        settings, turns, directory, models, next, clock, metrics, ceilings, lifecycle);
  }

  public static SessionRuntime of(
      Config config, SessionDirectory directory, ModelProviders models, ToolExecutor tools) {
    return new SessionRuntime(
        SessionSettings.fromConfig(config),
        TurnSettings.fromConfig(config),
        directory,
        models,
        tools,
        Clock.systemUTC(),
        SessionMetrics.NONE);
  }
}
