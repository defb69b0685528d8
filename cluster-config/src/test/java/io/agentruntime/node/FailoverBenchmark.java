package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.RecordingToolServer.Reply;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Failover after kill -9, several times over, under load: three node processes; each round {@code
 * bench.failover.turns} sessions hosted on one node other than the seed start a turn whose
 * idempotent tool call is slow, that node is killed, and we time (a) the first successful request
 * for another (idle) session of the dead node, through a survivor, and (b) the completion of every
 * in-flight turn, which resumes with no client request (the tool answers at once the second time,
 * so (b) is failover, not tool time). Meanwhile {@code bench.failover.load} clients run turns back
 * to back through the live nodes, and the survivors' logs must show no node downed but the one
 * killed. A fresh node replaces the dead one before the next round. Each round's timeline (failure
 * detector, SBR, removal, shard allocation) is read from the survivors' logs. Settings: those of
 * cluster.conf (ADR 0009). Not a test: {@code mvn -B verify -Pbenchmarks -pl cluster-config -am
 * -Dit.test=FailoverBenchmark -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dfailsafe.failIfNoSpecifiedTests=false}.
 */
class FailoverBenchmark {

  static final int ROUNDS = Integer.getInteger("bench.failover.rounds", 5);
  static final int TURNS = Integer.getInteger("bench.failover.turns", 4);
  static final int LOAD = Integer.getInteger("bench.failover.load", 4);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long one poll waits: a poll sent to the dead node is lost, and this is its cost. */
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);

  @Test
  void failoverAfterKill9() throws Exception {
    // Kept after the run: each node's log tells when it saw the dead node unreachable, downed it
    // and took its shards (target/benchmarks/failover-nodes/node*/).
    Path home = Path.of("target/benchmarks/failover-nodes").toAbsolutePath();
    deleteRecursively(home);
    Files.createDirectories(home);
    Path logback = home.resolve("logback-failover.xml");
    Files.writeString(logback, LOGBACK);
    List<Long> firstAnswer = new ArrayList<>();
    List<Long> allTurnsDone = new ArrayList<>();
    List<Map<String, Long>> timelines = new ArrayList<>();
    int falseSuspicions = 0;
    try (RecordingToolServer tools = RecordingToolServer.start();
        ProcessCluster cluster = new ProcessCluster(home)) {
      // The shard coordinator's allocations are logged at DEBUG: they date the shards' moves.
      cluster.jvmOptions =
          List.of("-Dpekko.loglevel=DEBUG", "-Dlogback.configurationFile=" + logback);
      for (int i = 0; i < 3; i++) {
        cluster.startNode();
      }
      cluster.awaitMembersUp(3);
      try (Load load = new Load(cluster, LOAD)) {
        for (int round = 0; round < ROUNDS; round++) {
          HttpClientSupport seed = cluster.client(0);
          List<String> onVictim = new ArrayList<>();
          int victim = -1;
          for (int s = 0; onVictim.size() < TURNS + 1 && s < 400; s++) {
            String session = "r" + round + "-" + s;
            assertEquals(
                201,
                seed.put(
                        "/v1/sessions/" + session,
                        "{\"permissions\": {\"tools\": {\"*\": \"allow\"}}}")
                    .statusCode());
            int host = cluster.hostOf(session);
            if (host > 0 && (victim < 0 || host == victim)) {
              victim = host;
              onVictim.add(session);
            }
          }
          assertEquals(TURNS + 1, onVictim.size(), "sessions on one node other than the seed");
          String probe = onVictim.get(0);
          Map<String, String> turns = new LinkedHashMap<>();
          for (int t = 1; t <= TURNS; t++) {
            String session = onVictim.get(t);
            String path = "/slow" + round + "-" + t;
            tools.script(
                path,
                Reply.json("{\"done\": true}").after(Duration.ofSeconds(60)),
                Reply.json("{\"done\": true}"));
            assertEquals(
                200,
                seed.put(
                        "/v1/sessions/" + session + "/tools/slow",
                        "{\"kind\": \"http\", \"url\": \""
                            + tools.url(path)
                            + "\", \"idempotent\": true}")
                    .statusCode());
            HttpResponse<String> accepted =
                seed.post(
                    "/v1/sessions/" + session + "/messages", "{\"content\": \"/tool slow {}\"}");
            assertEquals(202, accepted.statusCode(), accepted.body());
            turns.put(session, JSON.readTree(accepted.body()).path("turnId").asText());
          }
          for (int t = 1; t <= TURNS; t++) {
            assertTrue(tools.awaitCalls("/slow" + round + "-" + t, 1, Duration.ofSeconds(30)));
          }

          NodeProcess dead = cluster.node(victim);
          Instant killedWall = Instant.now();
          long killedAt = System.nanoTime();
          dead.kill();
          ExecutorService pollers = Executors.newFixedThreadPool(TURNS + 1);
          try {
            Future<Long> first =
                pollers.submit(
                    () -> untilOk(seed, "/v1/sessions/" + probe, killedAt, body -> true));
            List<Future<Long>> done = new ArrayList<>();
            turns.forEach(
                (session, turnId) ->
                    done.add(
                        pollers.submit(
                            () ->
                                untilOk(
                                    seed,
                                    "/v1/sessions/" + session + "/turns/" + turnId,
                                    killedAt,
                                    body -> body.contains("\"status\":\"completed\"")))));
            long firstMs = first.get();
            long lastMs = 0;
            for (Future<Long> f : done) {
              lastMs = Math.max(lastMs, f.get());
            }
            firstAnswer.add(firstMs);
            allTurnsDone.add(lastMs);
            Map<String, Long> timeline = timeline(cluster, dead, killedWall);
            timeline.put("first answer for a session of the dead node", firstMs);
            timeline.put("every in-flight turn completed (" + TURNS + ")", lastMs);
            timelines.add(timeline);
            System.out.printf(
                "FAILOVER round %d: node %d killed at %s; first answer %d ms, all %d in-flight"
                    + " turns completed %d ms; %s%n",
                round + 1, victim, killedWall, firstMs, TURNS, lastMs, timeline);
          } finally {
            pollers.shutdownNow();
          }
          for (int t = 1; t <= TURNS; t++) {
            assertEquals(
                2,
                tools.count("/slow" + round + "-" + t),
                "each idempotent call sent once more after the crash, not more");
          }
          cluster.startNode();
          cluster.awaitMembersUp(3);
        }
        System.out.println("FAILOVER load: " + load.summary());
      }
      // Nothing is downed that was not killed: every downing decision names a killed node.
      List<String> killed = new ArrayList<>();
      for (NodeProcess n : cluster.nodes) {
        if (!n.isAlive()) {
          killed.add(n.clusterAddress());
        }
      }
      for (NodeProcess n : cluster.nodes) {
        for (String line : Files.readAllLines(n.log)) {
          Matcher downing = DOWNING.matcher(line);
          if (downing.find()) {
            assertTrue(killed.contains(downing.group(1)), "a live node was downed: " + line);
          }
          Matcher unreachable = UNREACHABLE.matcher(line);
          if (unreachable.find() && !killed.contains(unreachable.group(1))) {
            falseSuspicions++;
            System.out.println("FAILOVER a live node was marked unreachable: " + line);
          }
        }
      }
    }
    StringBuilder table =
        new StringBuilder(
            "| after kill -9 of the hosting node | rounds | min ms | median ms | max ms |\n"
                + "| --- | ---: | ---: | ---: | ---: |\n"
                + row("first successful request for an affected session", firstAnswer)
                + row(
                    "every in-flight turn completed (" + TURNS + " a round, no client request)",
                    allTurnsDone));
    table.append("\nTimeline, median over the rounds (ms after the kill, survivors' logs):\n\n");
    table.append("| event | median ms |\n| --- | ---: |\n");
    for (String event : timelines.get(0).keySet()) {
      List<Long> values = timelines.stream().map(t -> t.get(event)).filter(v -> v != null).toList();
      if (!values.isEmpty()) {
        table.append("| ").append(event).append(" | ").append(median(values)).append(" |\n");
      }
    }
    table.append(
        "\nLoad: "
            + LOAD
            + " clients running turns throughout; live nodes marked unreachable: "
            + falseSuspicions
            + " times; live nodes downed: 0\n");
    System.out.println(table);
    Path out = Path.of("target/benchmarks/failover.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table);
  }

  private static final Pattern DOWNING =
      Pattern.compile("SBR is downing \\[UniqueAddress\\(pekko://agent-runtime@([0-9.]+:[0-9]+),");
  private static final Pattern UNREACHABLE =
      Pattern.compile("Marking node as UNREACHABLE \\[Member\\(pekko://agent-runtime@([0-9.:]+),");

  /**
   * Milliseconds after the kill of the first line, on any survivor, that says each step happened.
   */
  private static Map<String, Long> timeline(ProcessCluster cluster, NodeProcess dead, Instant kill)
      throws IOException {
    String victim = "pekko://agent-runtime@" + dead.clusterAddress();
    Map<String, String> steps = new LinkedHashMap<>();
    steps.put(
        "marked unreachable (failure detector)", "Marking node as UNREACHABLE [Member(" + victim);
    steps.put("SBR downs it (stable-after)", "SBR is downing [UniqueAddress(" + victim);
    steps.put("leader removes it", "Leader is removing unreachable node [" + victim);
    steps.put(
        "its shards released (removal margin)",
        "ShardRegion terminated: [Actor[" + victim + "/system/sharding/Session#");
    // Only allocations after the release: a rebalance towards the last new node may come first.
    steps.put("first shard of it allocated elsewhere", "allocated at");
    Map<String, Long> at = new LinkedHashMap<>();
    for (NodeProcess n : cluster.nodes) {
      if (n == dead || !n.isAlive()) {
        continue;
      }
      boolean released = false;
      for (String line : Files.readAllLines(n.log)) {
        if (line.length() < 12) {
          continue;
        }
        long ms;
        try {
          LocalTime time = LocalTime.parse(line.substring(0, 12));
          ms =
              Duration.between(
                      kill, LocalDate.now(ZoneId.of("UTC")).atTime(time).atZone(ZoneId.of("UTC")))
                  .toMillis();
        } catch (RuntimeException notATimestamp) {
          continue;
        }
        if (ms < 0 || ms > 60_000) {
          continue;
        }
        for (Map.Entry<String, String> step : steps.entrySet()) {
          boolean allocation = step.getKey().startsWith("first shard");
          if (line.contains(step.getValue()) && (!allocation || released)) {
            at.merge(step.getKey(), ms, Math::min);
            released |= step.getKey().startsWith("its shards released");
          }
        }
      }
    }
    Map<String, Long> ordered = new LinkedHashMap<>();
    for (String step : steps.keySet()) {
      if (at.containsKey(step)) {
        ordered.put(step, at.get(step));
      }
    }
    return ordered;
  }

  interface BodyCheck {
    boolean done(String body);
  }

  /**
   * Polls {@code path} every 50 ms (each poll waits at most {@link #POLL_TIMEOUT}) until it answers
   * 200 with a body that {@code check} accepts; milliseconds since {@code since}.
   */
  private static long untilOk(HttpClientSupport client, String path, long since, BodyCheck check)
      throws InterruptedException {
    while (true) {
      assertTrue(
          System.nanoTime() - since < Duration.ofSeconds(90).toNanos(), "no answer: " + path);
      try {
        HttpResponse<String> r = client.send(client.request(path).timeout(POLL_TIMEOUT).GET());
        if (r.statusCode() == 200 && check.done(r.body())) {
          return (System.nanoTime() - since) / 1_000_000;
        }
      } catch (RuntimeException e) {
        // not answered in time: try again
      }
      Thread.sleep(50);
    }
  }

  /** Clients running turns back to back (the scripted model) through the live nodes. */
  private static final class Load implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger turns = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private final long started = System.nanoTime();

    Load(ProcessCluster cluster, int clients) {
      for (int c = 0; c < clients; c++) {
        String session = "load-" + c;
        Thread t =
            new Thread(
                () -> {
                  boolean created = false;
                  while (running.get()) {
                    List<String> urls = cluster.servingUrls();
                    HttpClientSupport client =
                        new HttpClientSupport(
                            urls.get(ThreadLocalRandom.current().nextInt(urls.size())),
                            TestKeysFile.ADA);
                    try {
                      if (!created) {
                        int status = client.put("/v1/sessions/" + session, "{}").statusCode();
                        created = status == 201 || status == 409;
                        continue;
                      }
                      HttpResponse<String> r =
                          client.send(
                              client
                                  .request("/v1/sessions/" + session + "/messages?waitSeconds=5")
                                  .timeout(Duration.ofSeconds(8))
                                  .header("Content-Type", "application/json")
                                  .POST(HttpClientSupport.body("{\"content\": \"hello\"}")));
                      if (r.statusCode() == 200) {
                        turns.incrementAndGet();
                      } else {
                        failed.incrementAndGet();
                        Thread.sleep(100);
                      }
                    } catch (RuntimeException e) {
                      failed.incrementAndGet();
                      sleep();
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                },
                "failover-load-" + c);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
    }

    private static void sleep() {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    String summary() {
      double seconds = (System.nanoTime() - started) / 1e9;
      return String.format(
          "%d turns in %.0f s (%.1f/s), %d not answered 200 (during failover)",
          turns.get(), seconds, turns.get() / seconds, failed.get());
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(10_000);
      }
    }
  }

  private static final String LOGBACK =
      """
      <configuration>
        <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} %msg%n</pattern></encoder>
        </appender>
        <logger name="com.datastax.oss.driver" level="WARN"/>
        <logger name="org.apache.pekko" level="INFO"/>
        <logger name="org.apache.pekko.cluster.sharding.DDataShardCoordinator" level="DEBUG"/>
        <root level="INFO"><appender-ref ref="CONSOLE"/></root>
      </configuration>
      """;

  private static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static long median(List<Long> millis) {
    long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
    return sorted[sorted.length / 2];
  }

  private static String row(String what, List<Long> millis) {
    long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
    return "| "
        + what
        + " | "
        + sorted.length
        + " | "
        + sorted[0]
        + " | "
        + sorted[sorted.length / 2]
        + " | "
        + sorted[sorted.length - 1]
        + " |\n";
  }
}
