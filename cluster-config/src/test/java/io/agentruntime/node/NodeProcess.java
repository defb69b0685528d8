package io.agentruntime.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A node started as a real separate JVM from the built jar and its libraries, exactly as
 * bin/agent-runtime starts it; its output goes to a log file.
 */
final class NodeProcess {

  /** Where {@link #freePort()} chooses: below Linux's ephemeral range (32768-60999). */
  private static final int FIRST_CHOSEN_PORT = 20_000;

  private static final int LAST_CHOSEN_PORT = 32_000;
  private static final Random RANDOM = new Random();
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private final Process process;
  private final int httpPort;
  private final int managementPort;
  private final int clusterPort;
  final Path log;

  private NodeProcess(
      Process process, int httpPort, int managementPort, int clusterPort, Path log) {
    this.process = process;
    this.httpPort = httpPort;
    this.managementPort = managementPort;
    this.clusterPort = clusterPort;
    this.log = log;
  }

  /** {@code host:port} of the node's cluster address, as {@code X-Agent-Node} names it. */
  String clusterAddress() {
    return "127.0.0.1:" + clusterPort;
  }

  String managementUrl() {
    return "http://127.0.0.1:" + managementPort;
  }

  static NodeProcess start(
      String command, Path home, Map<String, String> env, List<String> systemProperties)
      throws IOException {
    return start(command, home, env, systemProperties, "");
  }

  /**
   * As {@link #start(String, Path, Map, List)}, with {@code extraClasspath} (":dir/*...") after the
   * node's own.
   */
  static NodeProcess start(
      String command,
      Path home,
      Map<String, String> env,
      List<String> systemProperties,
      String extraClasspath)
      throws IOException {
    int httpPort = freePort();
    Files.createDirectories(home);
    Path log = Files.createTempFile(home, "node-" + command + "-", ".out");
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx512m");
    cmd.add(
        "-Dagent-runtime.cassandra.lib-dir="
            + System.getProperty("agent-runtime.cassandra.lib-dir"));
    cmd.addAll(systemProperties);
    cmd.add("-cp");
    cmd.add(
        System.getProperty("agent-runtime.node.jar")
            + ":"
            + System.getProperty("agent-runtime.node.lib-dir")
            + "/*"
            + extraClasspath);
    cmd.add("io.agentruntime.node.Main");
    cmd.add(command);
    return run(cmd, home, env, httpPort, log);
  }

  /**
   * As {@link #start(String, Path, Map, List)}, through {@code bin/agent-runtime} as a user starts
   * it, so that what the launcher decides (its class-data archive) applies too. JVM options go in
   * {@code AGENT_RUNTIME_JAVA_OPTS} of {@code env}. The launcher execs the JVM: {@link #pid()},
   * {@link #kill()} and {@link #javaArguments()} are the node's.
   */
  static NodeProcess launch(String command, Path home, Map<String, String> env) throws IOException {
    int httpPort = freePort();
    Files.createDirectories(home);
    Path log = Files.createTempFile(home, "node-" + command + "-", ".out");
    Path script = Path.of("..", "bin", "agent-runtime").toAbsolutePath().normalize();
    return run(List.of("bash", script.toString(), command), home, env, httpPort, log);
  }

  private static NodeProcess run(
      List<String> cmd, Path home, Map<String, String> env, int httpPort, Path log)
      throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("AGENT_RUNTIME_HOME", home.toString());
    pb.environment().put("AGENT_RUNTIME_HTTP_HOST", "127.0.0.1");
    pb.environment().put("AGENT_RUNTIME_HTTP_PORT", Integer.toString(httpPort));
    pb.environment().put("AGENT_RUNTIME_CLUSTER_PORT", Integer.toString(freePort()));
    pb.environment().put("AGENT_RUNTIME_MANAGEMENT_PORT", Integer.toString(freePort()));
    pb.environment().putAll(env);
    int managementPort = Integer.parseInt(pb.environment().get("AGENT_RUNTIME_MANAGEMENT_PORT"));
    int clusterPort = Integer.parseInt(pb.environment().get("AGENT_RUNTIME_CLUSTER_PORT"));
    return new NodeProcess(pb.start(), httpPort, managementPort, clusterPort, log);
  }

  String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  long pid() {
    return process.pid();
  }

  /** The arguments the node's JVM runs with (after the launcher's exec, the JVM's own). */
  List<String> javaArguments() {
    return process.toHandle().info().arguments().map(List::of).orElse(List.of());
  }

  void awaitReady(Duration timeout) {
    try {
      HttpClientSupport.awaitOk(baseUrl() + "/health/ready", timeout, process::isAlive);
    } catch (AssertionError e) {
      String state = process.isAlive() ? "still running" : "exited with " + process.exitValue();
      throw new AssertionError(
          e.getMessage()
              + "; the node "
              + state
              + "; first errors:\n"
              + firstErrors()
              + "\nlast output:\n"
              + tail(),
          e);
    }
  }

  /** The first lines of the log that report an error, with a few lines after each. */
  private String firstErrors() {
    try {
      List<String> lines = Files.readAllLines(log);
      List<String> found = new ArrayList<>();
      for (int i = 0; i < lines.size() && found.size() < 60; i++) {
        String line = lines.get(i);
        if (line.contains(" ERROR ") || line.contains(" WARN ") || line.startsWith("Error")) {
          found.addAll(lines.subList(i, Math.min(lines.size(), i + 8)));
          i += 7;
        }
      }
      return found.isEmpty() ? "(none)" : String.join("\n", found);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  /** kill -9: no shutdown hook, no coordinated shutdown. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
  }

  /**
   * SIGTERM, as Ctrl-C or an orchestrator would. The JVM exits with 143 (128 + SIGTERM) after its
   * shutdown hooks, which run the coordinated shutdown; anything else means it did not stop the way
   * it should.
   */
  void terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the node did not stop within " + timeout + "; output:\n" + tail());
    }
    if (process.exitValue() != 143 && process.exitValue() != 0) {
      throw new AssertionError(
          "the node exited with " + process.exitValue() + " on SIGTERM; output:\n" + tail());
    }
  }

  /** Waits for the process to end by itself (e.g. after leaving the cluster); its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the node did not exit within " + timeout + "; output:\n" + tail());
    }
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  /**
   * A port no one listens on, for a node process to bind later. Not one the kernel hands out itself
   * (port 0 takes from the ephemeral range, 32768 and up on Linux, which is also where every
   * outgoing connection's local port comes from: a Cassandra driver connection made between this
   * check and the node's bind could take the port, and the node would exit on "Address already in
   * use"). Below that range only an explicit bind takes a port, and this JVM never hands one out
   * twice.
   */
  static synchronized int freePort() {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = FIRST_CHOSEN_PORT + RANDOM.nextInt(LAST_CHOSEN_PORT - FIRST_CHOSEN_PORT);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException inUse) {
        // taken: try another
      }
    }
    throw new UncheckedIOException(new IOException("no free port below the ephemeral range"));
  }
}
