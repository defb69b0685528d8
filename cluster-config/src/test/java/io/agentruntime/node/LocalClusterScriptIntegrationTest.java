package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `bin/agent-runtime cluster ...` as an operator runs it: a local cluster of two nodes and a
 * managed Cassandra, a session written through one node and read through the other, kill -9 of a
 * node, and a stop that leaves no process behind.
 */
class LocalClusterScriptIntegrationTest {

  private static final Path SCRIPT =
      Path.of("..", "bin", "agent-runtime").toAbsolutePath().normalize();

  @TempDir Path home;

  @AfterEach
  void stopEverything() throws Exception {
    run("stop");
  }

  @Test
  void startsServesKillsAndStopsALocalCluster() throws Exception {
    String started = run("start", "2");
    assertTrue(
        started.contains("1     8081   127.0.0.1:25521") && started.contains("ready"), started);
    assertTrue(started.lines().filter(l -> l.endsWith("ready")).count() == 2, started);

    HttpClientSupport first = new HttpClientSupport("http://127.0.0.1:8081", "dev-key");
    HttpClientSupport second = new HttpClientSupport("http://127.0.0.1:8082", "dev-key");
    assertEquals(201, first.put("/v1/sessions/local", "{\"memory\": {\"k\": 1}}").statusCode());
    assertEquals(first.get("/v1/sessions/local").body(), second.get("/v1/sessions/local").body());

    long secondPid = Long.parseLong(Files.readString(home.resolve("cluster/node-2.pid")).strip());
    run("kill", "2");
    assertTrue(ProcessHandle.of(secondPid).map(p -> !p.isAlive()).orElse(true), "node 2 is gone");
    assertTrue(run("status").contains("stopped"));
    assertEquals(
        200, first.get("/v1/sessions/local").statusCode(), "the survivor still serves the session");

    long cassandraPid =
        Long.parseLong(Files.readString(home.resolve("cluster/cassandra.pid")).strip());
    long firstPid = Long.parseLong(Files.readString(home.resolve("cluster/node-1.pid")).strip());
    run("stop");
    for (long pid : List.of(cassandraPid, firstPid)) {
      assertTrue(
          ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "pid " + pid + " left behind");
    }
  }

  private String run(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("bash", SCRIPT.toString(), "cluster"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("AGENT_RUNTIME_HOME", home.toString());
    Process process = pb.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(
        process.waitFor(300, TimeUnit.SECONDS),
        "cluster " + String.join(" ", args) + " did not end");
    assertEquals(0, process.exitValue(), "cluster " + String.join(" ", args) + ":\n" + output);
    return output;
  }
}
