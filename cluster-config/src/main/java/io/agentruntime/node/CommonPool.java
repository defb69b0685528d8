package io.agentruntime.node;

/**
 * Sizes the JDK's common fork-join pool before anything starts it. On a machine with two cores its
 * default is one thread, and then {@code CompletableFuture} runs every asynchronous step that names
 * no executor on a thread of its own, started for it and thrown away. The JDK's HTTP client hands
 * the end of every exchange to such a step, so each model and tool call started a thread (300 a
 * second under load, found with JFR's thread-start events). A setting given on the command line is
 * kept.
 */
final class CommonPool {

  static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private CommonPool() {}

  /** At least two threads, so that no asynchronous step gets a thread of its own. */
  static void sizeBeforeFirstUse() {
    if (System.getProperty(PARALLELISM) == null) {
      int cores = Runtime.getRuntime().availableProcessors();
      System.setProperty(PARALLELISM, Integer.toString(Math.max(2, cores - 1)));
    }
  }
}
