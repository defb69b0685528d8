package io.agentruntime.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.CqlSessionProvider;
import org.apache.pekko.stream.connectors.cassandra.DefaultSessionProvider;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * The session provider of the Pekko Cassandra plugins (set in agent-runtime-cassandra.conf). It is
 * the default provider plus one thing HOCON cannot do: accept the contact points as one
 * comma-separated string, the form AGENT_RUNTIME_CASSANDRA_CONTACT_POINTS carries them in.
 */
public final class AgentRuntimeSessionProvider implements CqlSessionProvider {

  private final ActorSystem system;
  private final Config pluginConfig;

  /** Called reflectively by the plugin with its own config section. */
  public AgentRuntimeSessionProvider(ActorSystem system, Config pluginConfig) {
    this.system = system;
    this.pluginConfig = pluginConfig;
  }

  @Override
  public Future<CqlSession> connect(ExecutionContext ec) {
    if (!pluginConfig.getString("service-discovery.name").isEmpty()) {
      return new DefaultSessionProvider(system, pluginConfig).connect(ec);
    }
    Config driver = CqlSessionProvider.driverConfig(system, pluginConfig);
    CassandraEndpoints endpoints = CassandraEndpoints.fromConfig(system.settings().config());
    return FutureConverters.asScala(CqlSessions.openAsync(driver, endpoints));
  }
}
