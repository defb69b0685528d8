package io.agentruntime.persistence.cassandra;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/** The operating-system side of a managed node: its process, pid file and log file. */
final class NodeProcesses {

  /** A log above this size is rolled over to cassandra.log.1 before the next start. */
  private static final long MAX_LOG_BYTES = 20L * 1024 * 1024;

  private static final int LOG_TAIL_LINES = 40;

  private NodeProcesses() {}

  /**
   * The live Cassandra process the pid file names, if it really runs from this data dir: a pid file
   * can outlive its process, and the pid can since belong to anything else.
   */
  static Optional<ProcessHandle> runningFromDataDir(ManagedCassandraSettings s) {
    return readPid(s.pidFile())
        .flatMap(ProcessHandle::of)
        .filter(ProcessHandle::isAlive)
        .filter(p -> isCassandraOf(commandLine(p), s));
  }

  static boolean isCassandraOf(String commandLine, ManagedCassandraSettings s) {
    return commandLine.contains(CassandraCommand.MAIN_CLASS)
        && commandLine.contains("-Dcassandra.config=" + s.yamlFile().toUri());
  }

  /** Starts the command detached from this JVM's streams, so it can outlive this JVM. */
  static ProcessHandle spawn(ManagedCassandraSettings s, List<String> command) {
    try {
      Path log = s.logFile();
      Files.createDirectories(log.getParent());
      rollOver(log);
      Process process =
          new ProcessBuilder(command)
              .directory(s.dataDir().toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      Files.writeString(s.pidFile(), Long.toString(process.pid()));
      return process.toHandle();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Cassandra with " + command, e);
    }
  }

  static void checkInstallation(ManagedCassandraSettings s) {
    if (!Files.isExecutable(s.javaExecutable())) {
      throw new IllegalStateException(
          "no Java 17 at "
              + s.javaExecutable()
              + "; set agent-runtime.cassandra.managed.java-executable");
    }
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(s.libDir(), "cassandra-all-*.jar")) {
      if (jars.iterator().hasNext()) {
        return;
      }
    } catch (IOException e) {
      // reported below
    }
    throw new IllegalStateException(
        "no cassandra-all jar in "
            + s.libDir()
            + "; build persistence/cassandra-dist and set "
            + "agent-runtime.cassandra.lib-dir (or AGENT_RUNTIME_CASSANDRA_LIB) to its target/lib");
  }

  static void deletePidFile(ManagedCassandraSettings s) {
    try {
      Files.deleteIfExists(s.pidFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last lines of the node's log, to explain a failed start. */
  static String logTail(ManagedCassandraSettings s) {
    try {
      List<String> lines = Files.readAllLines(s.logFile(), StandardCharsets.UTF_8);
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  private static Optional<Long> readPid(Path pidFile) {
    try {
      return Optional.of(Long.parseLong(Files.readString(pidFile).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  static String commandLine(ProcessHandle p) {
    Path proc = Path.of("/proc", Long.toString(p.pid()), "cmdline");
    try {
      // Arguments are NUL-separated.
      return Files.readString(proc, StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException e) {
      return p.info().commandLine().orElse("");
    }
  }

  private static void rollOver(Path log) throws IOException {
    if (Files.exists(log) && Files.size(log) > MAX_LOG_BYTES) {
      Files.move(
          log, log.resolveSibling(log.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
