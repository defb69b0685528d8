package io.agentruntime.runtime.tools;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reference MCP server of the protocol's authors
 * ({@code @modelcontextprotocol/server-everything}, Node.js), run in its Streamable HTTP mode as a
 * peer our client was not written against. Installed with npm into {@code target/mcp-everything} on
 * first use and reused from there; a pinned version keeps runs comparable. Needs node and npm on
 * the PATH.
 */
final class EverythingServer implements AutoCloseable {

  static final String VERSION = "2026.8.31";
  private static final Path HOME =
      Path.of(System.getProperty("basedir", ".")).resolve("target").resolve("mcp-everything");
  private static final Path ENTRY =
      HOME.resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js");

  private final int port;
  private Process process;

  private EverythingServer(int port) {
    this.port = port;
  }

  /** Whether node and npm can be run here. */
  static boolean toolchainPresent() {
    return runs(List.of("node", "--version")) && runs(List.of("npm", "--version"));
  }

  /** Installs the server unless it already is; fails when npm cannot. */
  static void install() throws IOException, InterruptedException {
    if (Files.exists(ENTRY)) {
      return;
    }
    Files.createDirectories(HOME);
    Process npm =
        new ProcessBuilder(
                "npm",
                "install",
                "--prefix",
                HOME.toString(),
                "--no-audit",
                "--no-fund",
                "--prefer-offline",
                "@modelcontextprotocol/server-everything@" + VERSION)
            .redirectErrorStream(true)
            .redirectOutput(HOME.resolve("npm-install.log").toFile())
            .start();
    if (!npm.waitFor(5, TimeUnit.MINUTES)) {
      npm.destroyForcibly();
      throw new IOException(
          "npm install did not finish in 5 minutes; see " + HOME.resolve("npm-install.log"));
    }
    if (npm.exitValue() != 0 || !Files.exists(ENTRY)) {
      throw new IOException(
          "npm install failed (" + npm.exitValue() + "); see " + HOME.resolve("npm-install.log"));
    }
  }

  /** Starts it on a free loopback port. */
  static EverythingServer start() throws IOException, InterruptedException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    EverythingServer server = new EverythingServer(port);
    server.launch();
    return server;
  }

  String url() {
    return "http://127.0.0.1:" + port + "/mcp";
  }

  /** Kills the process and starts a new one on the same port: every session is forgotten. */
  void restart() throws IOException, InterruptedException {
    stop();
    launch();
  }

  @Override
  public void close() {
    stop();
  }

  private void launch() throws IOException, InterruptedException {
    File log = HOME.resolve("server-" + port + ".log").toFile();
    ProcessBuilder builder =
        new ProcessBuilder("node", ENTRY.toString(), "streamableHttp")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
    builder.environment().put("PORT", Integer.toString(port));
    process = builder.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!listening()) {
      if (!process.isAlive()) {
        throw new IOException("the server exited with " + process.exitValue() + "; see " + log);
      }
      if (System.nanoTime() > deadline) {
        stop();
        throw new IOException("the server did not listen within 30 s; see " + log);
      }
      Thread.sleep(50);
    }
  }

  private boolean listening() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void stop() {
    if (process == null) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  private static boolean runs(List<String> command) {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
