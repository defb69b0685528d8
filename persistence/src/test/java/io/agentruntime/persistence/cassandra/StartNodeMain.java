package io.agentruntime.persistence.cassandra;

import io.agentruntime.persistence.testing.TestCassandra;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Stands in for a runtime node in a JVM of its own: starts a managed Cassandra, prints "READY pid"
 * and waits to be killed. Arguments: data dir, native, storage and ssl storage ports, commit log
 * sync period in milliseconds.
 */
public final class StartNodeMain {

  private StartNodeMain() {}

  public static void main(String[] args) throws InterruptedException {
    ManagedCassandra node =
        ManagedCassandra.start(
            TestCassandra.nodeSettings(
                    Path.of(args[0]),
                    Integer.parseInt(args[1]),
                    Integer.parseInt(args[2]),
                    Integer.parseInt(args[3]))
                .withTestMode(false) // as a dev node runs: schema changes are durable
                .withCommitlogSyncPeriod(Duration.ofMillis(Long.parseLong(args[4]))));
    System.out.println("READY " + node.pid());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
