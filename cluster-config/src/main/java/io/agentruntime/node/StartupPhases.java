package io.agentruntime.node;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * When each part of a node's start-up was done, in milliseconds since the JVM started, for the line
 * the node logs once it serves: "jvm 850, managed-cassandra 900, ..." tells where a slow start went
 * (decision 0060). Phases may end on other threads.
 */
final class StartupPhases {

  private final long jvmStartMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
  private final List<String> done = new ArrayList<>();

  StartupPhases() {
    done("jvm");
  }

  /** {@code phase} is done now. */
  synchronized void done(String phase) {
    done.add(phase + " " + (System.currentTimeMillis() - jvmStartMillis));
  }

  @Override
  public synchronized String toString() {
    return String.join(", ", done) + " ms after the JVM started";
  }
}
