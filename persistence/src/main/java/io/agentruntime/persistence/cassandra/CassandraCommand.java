package io.agentruntime.persistence.cassandra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line that runs a managed Cassandra node in its own JVM. */
final class CassandraCommand {

  static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";

  /**
   * From Cassandra 5.0's conf/jvm17-server.options: without them startup fails with {@code
   * IllegalAccessException ... sun.nio.ch.DirectBuffer.cleaner}.
   */
  private static final List<String> JPMS_OPTIONS =
      List.of(
          "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
          "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
          "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
          "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
          "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
          "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
          "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
          "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
          "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
          "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
          "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens", "java.base/java.io=ALL-UNNAMED",
          "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
          "--add-opens", "java.base/java.lang=ALL-UNNAMED",
          "--add-opens", "java.base/java.util=ALL-UNNAMED");

  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  private CassandraCommand() {}

  static List<String> build(ManagedCassandraSettings s, boolean dropIpcLock) {
    List<String> cmd = new ArrayList<>();
    if (dropIpcLock) {
      // As root, Cassandra mlocks all its memory (RSS ~1 GB); without CAP_IPC_LOCK it cannot.
      // setpriv execs java in place, so the process id stays the JVM's.
      cmd.addAll(List.of(SETPRIV.toString(), "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock"));
    }
    cmd.add(s.javaExecutable().toString());
    cmd.addAll(
        List.of(
            "-Xms" + s.heapMin(),
            "-Xmx" + s.heapMax(),
            "-Xss256k",
            "-XX:+UseG1GC",
            "-XX:+ParallelRefProcEnabled",
            "-XX:MaxTenuringThreshold=1",
            // A node out of memory must die visibly rather than limp on.
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.net.preferIPv4Stack=true",
            "-Djdk.attach.allowAttachSelf=true",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Dio.netty.allocator.useCacheForAllThreads=true",
            "-Dio.netty.allocator.maxOrder=11"));
    cmd.addAll(JPMS_OPTIONS);
    cmd.addAll(
        List.of(
            "-Dcassandra.config=" + s.yamlFile().toUri(),
            "-Dlogback.configurationFile=" + CassandraYaml.logbackFile(s),
            "-Dcassandra.logdir=" + s.logFile().getParent(),
            "-Dcassandra.storagedir=" + s.dataDir(),
            // Keeps stdout open: it is how the node's log reaches its log file.
            "-Dcassandra-foreground=yes",
            // A single node has no peers to tell; each saves seconds at stop and start.
            "-Dcassandra.shutdown_announce_in_ms=0",
            "-Dcassandra.skip_wait_for_gossip_to_settle=0"));
    // No cassandra.jmx.local.port / remote.port: JMX stays off.
    if (s.testMode()) {
      cmd.add("-Dcassandra.unsafesystem=true");
    }
    cmd.addAll(List.of("-cp", s.libDir().resolve("*").toString(), MAIN_CLASS));
    return List.copyOf(cmd);
  }

  /** Dropping CAP_IPC_LOCK matters only as root, and needs setpriv. */
  static boolean shouldDropIpcLock() {
    return isRoot() && Files.isExecutable(SETPRIV);
  }

  private static boolean isRoot() {
    try {
      // /proc/self belongs to this process's effective user.
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }
}
