package io.agentruntime.node;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.persistence.cassandra.CqlSessions;
import io.agentruntime.persistence.cassandra.ManagedCassandra;
import io.agentruntime.persistence.cassandra.ManagedCassandraSettings;
import io.agentruntime.persistence.schema.Migration;
import io.agentruntime.persistence.schema.SchemaMigrator;
import io.agentruntime.persistence.schema.SchemaSettings;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * {@code dev}: one node with a managed local Cassandra; {@code node}: one node of a cluster,
 * configured from the environment; {@code migrate}: apply the versioned schema and exit.
 */
public final class Main {

  private Main() {}

  /** The driver reads the process id from here before it asks the OS through jnr-ffi. */
  private static final String DRIVER_PID = "com.datastax.oss.driver.PID";

  public static void main(String[] args) {
    CommonPool.sizeBeforeFirstUse();
    String command = args.length == 0 ? "dev" : args[0];
    // Found through jnr-ffi, the driver's process id costs the journal's first write hundreds of
    // generated classes, on the path of a restart (decision 0060); the JVM knows it already.
    if (System.getProperty(DRIVER_PID) == null) {
      System.setProperty(DRIVER_PID, Long.toString(ProcessHandle.current().pid()));
    }
    try {
      switch (command) {
        case "dev" -> Node.start(ConfigFactory.load("dev"));
        case "node" -> Node.start(ConfigFactory.load(profile()));
        case "migrate" -> migrate(ConfigFactory.load(profile()));
        case "cassandra" -> cassandra(ConfigFactory.load("dev"));
        default -> {
          System.err.println("usage: agent-runtime dev|node|migrate|cassandra");
          System.exit(2);
        }
      }
    } catch (Throwable e) {
      LoggerFactory.getLogger(Main.class).error("agent-runtime {} failed", command, e);
      // Runs the coordinated shutdown of a half-started node too, which stops its Cassandra.
      System.exit(1);
    }
  }

  /**
   * {@code prod} unless AGENT_RUNTIME_PROFILE names another (the local cluster uses {@code local}).
   */
  private static String profile() {
    return System.getenv().getOrDefault("AGENT_RUNTIME_PROFILE", "prod");
  }

  /**
   * The managed Cassandra of a local cluster on its own, with the schema applied: runs until
   * SIGTERM, which stops Cassandra (the nodes of the cluster come and go around it).
   */
  private static void cassandra(Config config) throws InterruptedException {
    ManagedCassandra node = ManagedCassandra.start(ManagedCassandraSettings.fromConfig(config));
    migrate(config);
    LoggerFactory.getLogger(Main.class)
        .info("Cassandra for the local cluster is ready on {}", node.contactPoint());
    Thread.currentThread().join();
  }

  private static void migrate(Config config) {
    try (CqlSession session = CqlSessions.open(config)) {
      List<Migration> applied =
          SchemaMigrator.create(SchemaSettings.fromConfig(config)).migrate(session);
      System.out.println(
          applied.isEmpty()
              ? "The schema is up to date."
              : "Applied " + applied.stream().map(m -> "V" + m.version()).toList());
    }
  }
}
