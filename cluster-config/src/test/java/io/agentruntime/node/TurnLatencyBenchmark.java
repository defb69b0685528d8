package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.persistence.testing.TestCassandra;
import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.RecordingToolServer.Reply;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime's own time per turn, with a model that answers at once (the built-in scripted model):
 * a turn without tools (message, model, answer) and a turn with one HTTP tool call (message, model,
 * tool, model, answer), each one request {@code POST .../messages?waitSeconds=10} timed as a client
 * sees it, one at a time, on one node with the real Cassandra journal. Every turn journals its
 * events (4 without a tool, 7 with one) before it answers. Not a test: run it with {@code mvn -B -o
 * verify -Pbenchmarks -pl cluster-config} (see BENCHMARKS.md).
 */
class TurnLatencyBenchmark {

  static final int TURNS = Integer.getInteger("bench.turns", 500);

  /**
   * Untimed turns of each kind first. After 300 the node's and Cassandra's JITs are still compiling
   * the turn path (p50 about 3x its steady value); after 3,000 a turn costs what it costs a node
   * that has been serving for a while (BENCHMARKS.md, section 3).
   */
  static final int WARM_UP = Integer.getInteger("bench.warmup", 3000);

  @TempDir static Path dir;

  @Test
  void timePerTurn() throws Exception {
    try (RecordingToolServer tools = RecordingToolServer.start()) {
      tools.script("/lookup", Reply.json("{\"order\": \"42\", \"status\": \"shipped\"}"));
      String keyspace = TestCassandra.uniqueKeyspaceName("bench_turns");
      Node node =
          Node.start(
              TestNodes.config(
                  keyspace,
                  TestKeysFile.write(dir),
                  Map.of("agent-runtime.http.rate-limit.per-second", 0)));
      try {
        HttpClientSupport ada = new HttpClientSupport(TestNodes.baseUrl(node), TestKeysFile.ADA);
        String spec =
            "{\"agent\": {\"model\": \"scripted\", \"limits\": {\"maxStepsPerTurn\": 4, \"maxTurnSeconds\": 60}},"
                + " \"tools\": [{\"name\": \"lookup\", \"kind\": \"http\", \"url\": \""
                + tools.url("/lookup")
                + "\", \"idempotent\": true}],"
                + " \"permissions\": {\"tools\": {\"*\": \"allow\"}}}";
        double[] plain = run(ada, spec, "plain", "Where is my order?");
        double[] oneTool = run(ada, spec, "tool", "/tool lookup {\"order\": \"42\"}");
        double[] http = floor(() -> ada.get("/health/alive"));
        JournalWrites journal = new JournalWrites(TestCassandra.get().session(), keyspace);
        double[] write = floor(journal::writeTwoEvents);
        String table =
            "| turn | turns timed | p50 ms | p90 ms | p99 ms | max ms | mean ms |\n"
                + "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
                + row("no tool (4 events)", plain)
                + row("one HTTP tool call (7 events)", oneTool)
                + row("floor: HTTP round trip alone (GET /health/alive)", http)
                + row("floor: one journal write alone (2 events, driver, QUORUM)", write);
        System.out.println(table);
        Path out = Path.of("target/benchmarks/turn-latency.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
      } finally {
        node.stop(Duration.ofSeconds(30));
      }
    }
  }

  /** Turns of one kind on sessions of their own (a new session every 100 turns), warm-up first. */
  private static double[] run(
      HttpClientSupport client, String spec, String prefix, String message) {
    double[] millis = new double[TURNS];
    for (int i = -WARM_UP; i < TURNS; i++) {
      String session = prefix + "-" + ((i + WARM_UP) / 100);
      if ((i + WARM_UP) % 100 == 0) {
        assertEquals(201, client.put("/v1/sessions/" + session, spec).statusCode());
      }
      long start = System.nanoTime();
      HttpResponse<String> answer =
          client.post(
              "/v1/sessions/" + session + "/messages?waitSeconds=10",
              "{\"content\": \"" + message.replace("\"", "\\\"") + "\"}");
      long elapsed = System.nanoTime() - start;
      assertEquals(200, answer.statusCode(), answer.body());
      assertTrue(answer.body().contains("\"status\":\"completed\""), answer.body());
      if (i >= 0) {
        millis[i] = elapsed / 1e6;
      }
    }
    Arrays.sort(millis);
    return millis;
  }

  /** The same client or driver doing only {@code step}, one at a time, warm-up first. */
  private static double[] floor(Runnable step) {
    double[] millis = new double[TURNS];
    for (int i = -WARM_UP; i < TURNS; i++) {
      long start = System.nanoTime();
      step.run();
      if (i >= 0) {
        millis[i] = (System.nanoTime() - start) / 1e6;
      }
    }
    Arrays.sort(millis);
    return millis;
  }

  private static String row(String name, double[] sorted) {
    return String.format(
        "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n",
        name,
        sorted.length,
        at(sorted, 0.50),
        at(sorted, 0.90),
        at(sorted, 0.99),
        sorted[sorted.length - 1],
        Arrays.stream(sorted).average().orElse(0));
  }

  private static double at(double[] sorted, double quantile) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)];
  }
}
