package io.agentruntime.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.connectors.cassandra.DriverConfigLoaderFromConfig;

/**
 * Opens driver sessions with an explicit configuration, so that what a session connects to is
 * decided by {@link CassandraEndpoints} and never by whatever application.conf the driver would
 * otherwise load on its own.
 */
public final class CqlSessions {

  private static final String DRIVER = "datastax-java-driver";

  private CqlSessions() {}

  /** A session to one dev or test node (datacenter1). Blocking. */
  public static CqlSession open(String host, int port) {
    return open(CassandraEndpoints.of(host, port));
  }

  /** A session with the driver's defaults. Blocking. */
  public static CqlSession open(CassandraEndpoints endpoints) {
    return openAsync(ConfigFactory.defaultReference().getConfig(DRIVER), endpoints)
        .toCompletableFuture()
        .join();
  }

  /**
   * A session configured like a node's: its datastax-java-driver section and its endpoints.
   * Blocking.
   */
  public static CqlSession open(Config root) {
    return openAsync(root.getConfig(DRIVER), CassandraEndpoints.fromConfig(root))
        .toCompletableFuture()
        .join();
  }

  /**
   * @param driverSection the datastax-java-driver section, with the driver's defaults in it
   */
  public static CompletionStage<CqlSession> openAsync(
      Config driverSection, CassandraEndpoints endpoints) {
    return CqlSession.builder()
        .withConfigLoader(
            DriverConfigLoaderFromConfig.fromConfig(withEndpoints(driverSection, endpoints)))
        .buildAsync();
  }

  static Config withEndpoints(Config driverSection, CassandraEndpoints endpoints) {
    return driverSection
        .withValue(
            "basic.contact-points", ConfigValueFactory.fromIterable(endpoints.contactPoints()))
        .withValue(
            "basic.load-balancing-policy.local-datacenter",
            ConfigValueFactory.fromAnyRef(endpoints.localDatacenter()));
  }
}
