package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.runtime.testing.RecordingToolServer;
import io.agentruntime.runtime.testing.RecordingToolServer.Reply;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Failover after kill -9, several times over: three node processes; each round a session hosted
 * away from the seed starts a turn whose idempotent tool call is slow, its node is killed, and we
 * time (a) the first successful request for another session of the dead node, through a survivor,
 * and (b) the completion of the turn, which resumes with no client request (the tool answers at
 * once the second time, so (b) is failover, not tool time). A fresh node replaces the dead one
 * before the next round. Settings: those of cluster.conf (ADR 0007). Not a test: {@code mvn -B -o
 * verify -Pbenchmarks -pl cluster-config -Dit.test=FailoverBenchmark}.
 */
class FailoverBenchmark {

  static final int ROUNDS = Integer.getInteger("bench.failover.rounds", 5);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void failoverAfterKill9() throws Exception {
    // Kept after the run: each node's log tells when it saw the dead node unreachable, downed it
    // and took its shards (target/benchmarks/failover-nodes/node*/).
    Path home = Path.of("target/benchmarks/failover-nodes").toAbsolutePath();
    deleteRecursively(home);
    Files.createDirectories(home);
    List<Long> firstAnswer = new ArrayList<>();
    List<Long> turnCompleted = new ArrayList<>();
    try (RecordingToolServer tools = RecordingToolServer.start();
        ProcessCluster cluster = new ProcessCluster(home)) {
      for (int i = 0; i < 3; i++) {
        cluster.startNode();
      }
      cluster.awaitMembersUp(3);
      for (int round = 0; round < ROUNDS; round++) {
        String path = "/slow" + round;
        tools.script(
            path,
            Reply.json("{\"done\": true}").after(Duration.ofSeconds(30)),
            Reply.json("{\"done\": true}"));
        HttpClientSupport seed = cluster.client(0);
        List<String> onVictim = new ArrayList<>();
        int victim = -1;
        for (int s = 0; onVictim.size() < 2 && s < 200; s++) {
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
        assertEquals(2, onVictim.size(), "two sessions on one node other than the seed");
        String turnSession = onVictim.get(0);
        assertEquals(
            200,
            seed.put(
                    "/v1/sessions/" + turnSession + "/tools/slow",
                    "{\"kind\": \"http\", \"url\": \""
                        + tools.url(path)
                        + "\", \"idempotent\": true}")
                .statusCode());
        HttpResponse<String> accepted =
            seed.post(
                "/v1/sessions/" + turnSession + "/messages", "{\"content\": \"/tool slow {}\"}");
        assertEquals(202, accepted.statusCode(), accepted.body());
        String turnId = JSON.readTree(accepted.body()).path("turnId").asText();
        assertTrue(tools.awaitCalls(path, 1, Duration.ofSeconds(30)));

        long killedAt = System.nanoTime();
        cluster.node(victim).kill();
        long first = -1;
        while (first < 0) {
          assertTrue(
              System.nanoTime() - killedAt < Duration.ofSeconds(90).toNanos(),
              "no answer after the kill");
          int status;
          try {
            status =
                seed.send(
                        seed.request("/v1/sessions/" + onVictim.get(1))
                            .timeout(Duration.ofSeconds(2))
                            .GET())
                    .statusCode();
          } catch (RuntimeException e) {
            status = 0;
          }
          if (status == 200) {
            first = (System.nanoTime() - killedAt) / 1_000_000;
          } else {
            Thread.sleep(50);
          }
        }
        HttpResponse<String> turn =
            seed.get("/v1/sessions/" + turnSession + "/turns/" + turnId + "?waitSeconds=60");
        assertEquals("completed", JSON.readTree(turn.body()).path("status").asText(), turn.body());
        long completed = (System.nanoTime() - killedAt) / 1_000_000;
        firstAnswer.add(first);
        turnCompleted.add(completed);
        System.out.printf(
            "FAILOVER round %d: node %d killed at %s; first answer %d ms, turn completed %d ms%n",
            round + 1, victim, java.time.Instant.now().minusMillis(completed), first, completed);

        cluster.startNode();
        cluster.awaitMembersUp(3);
      }
    }
    String table =
        "| after kill -9 of the hosting node | rounds | min ms | median ms | max ms |\n"
            + "| --- | ---: | ---: | ---: | ---: |\n"
            + row("first successful request for an affected session", firstAnswer)
            + row("in-flight turn completed (no client request)", turnCompleted);
    System.out.println(table);
    Path out = Path.of("target/benchmarks/failover.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table);
  }

  private static void deleteRecursively(Path dir) throws java.io.IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
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
