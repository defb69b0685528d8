package io.agentruntime.load;

import java.time.Duration;

/**
 * The knobs of every simulation, from system properties ({@code -Dload.baseUrl=...}) so that {@code
 * load-tests/bench} and CI choose them on the command line. Defaults suit a dev node on this
 * machine; the gate (p99 and error share) is set per run.
 */
final class LoadSettings {

  private LoadSettings() {}

  static String baseUrl() {
    return System.getProperty("load.baseUrl", "http://127.0.0.1:8080");
  }

  static String apiKey() {
    return System.getProperty("load.apiKey", "dev-key");
  }

  static String text(String name, String fallback) {
    return System.getProperty("load." + name, fallback);
  }

  static int integer(String name, int fallback) {
    return Integer.parseInt(System.getProperty("load." + name, Integer.toString(fallback)));
  }

  static double decimal(String name, double fallback) {
    return Double.parseDouble(System.getProperty("load." + name, Double.toString(fallback)));
  }

  static Duration seconds(String name, int fallback) {
    return Duration.ofSeconds(integer(name, fallback));
  }

  /** The gate: the 99th percentile (ms) the simulation's own request must stay under. */
  static int maxP99Millis() {
    return integer("maxP99Millis", 1000);
  }

  /** The gate: the share of failed requests (percent) the whole run may have. */
  static double maxErrorPercent() {
    return decimal("maxErrorPercent", 1.0);
  }

  /** A prefix for the ids this run creates, so that runs on the same node never meet. */
  static String runId() {
    return text("runId", Long.toString(System.currentTimeMillis(), 36));
  }
}
