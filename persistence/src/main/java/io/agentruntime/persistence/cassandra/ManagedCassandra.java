package io.agentruntime.persistence.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Cassandra node run as a child JVM, for dev mode and tests. Never doubled: a node this
 * data dir already runs (say, one that outlived a runtime killed with -9) is adopted, and any other
 * CQL server on the port is reused and left alone. Blocking: call it at node start-up or from
 * tests, never from inside an actor.
 */
public final class ManagedCassandra implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ManagedCassandra.class);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
  private static final long POLL_MILLIS = 200;
  private static final Duration FORCED_STOP_TIMEOUT = Duration.ofSeconds(10);

  private final ManagedCassandraSettings settings;
  private final Optional<ProcessHandle> process;
  private final Optional<Thread> exitHook;

  private ManagedCassandra(
      ManagedCassandraSettings settings,
      Optional<ProcessHandle> process,
      Optional<Thread> exitHook) {
    this.settings = settings;
    this.process = process;
    this.exitHook = exitHook;
  }

  /**
   * Starts the node, adopts the one this data dir runs, or reuses whatever serves CQL on the port.
   */
  public static ManagedCassandra start(ManagedCassandraSettings settings) {
    // The class lock orders threads of this JVM, the file lock other JVMs using the same data dir.
    synchronized (ManagedCassandra.class) {
      try {
        Files.createDirectories(settings.dataDir());
        try (FileChannel channel =
            FileChannel.open(
                settings.dataDir().resolve("start.lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
          FileLock lock = channel.lock();
          try {
            return startLocked(settings);
          } finally {
            lock.release();
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot prepare the Cassandra data dir " + settings.dataDir(), e);
      }
    }
  }

  /** Whether a node runs for these settings: this data dir's own, or any CQL server on the port. */
  public static boolean isRunning(ManagedCassandraSettings settings) {
    return NodeProcesses.runningFromDataDir(settings).isPresent()
        || CqlProbe.answers(settings.host(), settings.nativePort(), PROBE_TIMEOUT);
  }

  private static ManagedCassandra startLocked(ManagedCassandraSettings s) {
    Optional<ProcessHandle> ours = NodeProcesses.runningFromDataDir(s);
    if (ours.isPresent()) {
      log.info(
          "Adopting the Cassandra node (pid {}) already running from {}",
          ours.get().pid(),
          s.dataDir());
      Thread hook = stopOnExit(s, ours.get());
      awaitReady(s, ours.get());
      return new ManagedCassandra(s, ours, Optional.of(hook));
    }
    if (CqlProbe.answers(s.host(), s.nativePort(), PROBE_TIMEOUT)) {
      log.info(
          "Reusing the CQL server already on {}:{}; it is not ours to stop",
          s.host(),
          s.nativePort());
      return new ManagedCassandra(s, Optional.empty(), Optional.empty());
    }
    return launch(s);
  }

  /**
   * A node this JVM owns is stopped when the JVM exits, even one still starting, unless an owner
   * that stops it in an orderly way has taken over ({@link #leaveStopToOwner()}).
   */
  private static Thread stopOnExit(ManagedCassandraSettings s, ProcessHandle handle) {
    Thread hook = new Thread(() -> stopProcess(s, handle), "stop-managed-cassandra");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  /**
   * The caller stops the node itself (say, after the journal's last write in coordinated shutdown);
   * until then a JVM exit stops it. Idempotent.
   */
  public void leaveStopToOwner() {
    exitHook.ifPresent(
        hook -> {
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException shuttingDown) {
            // The JVM is exiting and the hook already runs: the node is being stopped anyway.
          }
        });
  }

  private static ManagedCassandra launch(ManagedCassandraSettings s) {
    NodeProcesses.checkInstallation(s);
    CassandraYaml.write(s);
    long started = System.nanoTime();
    // A JVM told to exit while Cassandra still starts (Ctrl-C during `dev`) must not leave it
    // behind: the hook is in place before the process exists, and a shutdown that began while it
    // was being spawned stops it here.
    AtomicReference<ProcessHandle> spawned = new AtomicReference<>();
    CountDownLatch spawnEnded = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              awaitQuietly(spawnEnded);
              Optional.ofNullable(spawned.get()).ifPresent(h -> stopProcess(s, h));
            },
            "stop-managed-cassandra");
    Runtime.getRuntime().addShutdownHook(hook);
    ProcessHandle handle;
    try {
      handle =
          NodeProcesses.spawn(s, CassandraCommand.build(s, CassandraCommand.shouldDropIpcLock()));
      spawned.set(handle);
    } finally {
      spawnEnded.countDown();
    }
    if (jvmShuttingDown()) {
      stopProcess(s, handle);
      throw new IllegalStateException("the JVM began to shut down while Cassandra was starting");
    }
    log.info(
        "Started Cassandra (pid {}) on {}:{}, log at {}",
        handle.pid(),
        s.host(),
        s.nativePort(),
        s.logFile());
    try {
      awaitReady(s, handle);
    } catch (RuntimeException e) {
      handle.destroyForcibly();
      NodeProcesses.deletePidFile(s);
      throw e;
    }
    log.info(
        "Cassandra ready on {}:{} in {} ms",
        s.host(),
        s.nativePort(),
        (System.nanoTime() - started) / 1_000_000);
    return new ManagedCassandra(s, Optional.of(handle), Optional.of(hook));
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean jvmShuttingDown() {
    Thread probe = new Thread(() -> {});
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException shuttingDown) {
      return true;
    }
  }

  private static void awaitReady(ManagedCassandraSettings s, ProcessHandle handle) {
    long deadline = System.nanoTime() + s.startTimeout().toNanos();
    while (!CqlProbe.answers(s.host(), s.nativePort(), PROBE_TIMEOUT)) {
      if (!handle.isAlive()) {
        throw new IllegalStateException(
            "Cassandra (pid "
                + handle.pid()
                + ") exited before serving CQL; end of "
                + s.logFile()
                + ":\n"
                + NodeProcesses.logTail(s));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Cassandra did not serve CQL on "
                + s.host()
                + ":"
                + s.nativePort()
                + " within "
                + s.startTimeout()
                + "; end of "
                + s.logFile()
                + ":\n"
                + NodeProcesses.logTail(s));
      }
      sleep(POLL_MILLIS);
    }
  }

  public String host() {
    return settings.host();
  }

  public int nativePort() {
    return settings.nativePort();
  }

  /** "host:port", as the driver's contact points take it. */
  public String contactPoint() {
    return settings.host() + ":" + settings.nativePort();
  }

  /** True when this instance started or adopted the node, and so stops it. */
  public boolean owned() {
    return process.isPresent();
  }

  /** The node's process id, or -1 when the CQL server is not ours. */
  public long pid() {
    return process.map(ProcessHandle::pid).orElse(-1L);
  }

  public ManagedCassandraSettings settings() {
    return settings;
  }

  /**
   * Stops the node if it is ours: SIGTERM lets Cassandra drain and flush; after stopTimeout it is
   * killed. Does nothing for a reused server. Idempotent.
   */
  public void stop() {
    process.ifPresent(handle -> stopProcess(settings, handle));
  }

  private static void stopProcess(ManagedCassandraSettings settings, ProcessHandle handle) {
    if (handle.isAlive()) {
      log.info("Stopping Cassandra (pid {})", handle.pid());
      handle.destroy();
      if (!awaitExit(handle, settings.stopTimeout())) {
        log.warn(
            "Cassandra (pid {}) did not stop within {}; killing it",
            handle.pid(),
            settings.stopTimeout());
        handle.destroyForcibly();
        if (!awaitExit(handle, FORCED_STOP_TIMEOUT)) {
          throw new IllegalStateException("Cassandra (pid " + handle.pid() + ") survived SIGKILL");
        }
      }
    }
    NodeProcesses.deletePidFile(settings);
  }

  @Override
  public void close() {
    stop();
  }

  private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !handle.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !handle.isAlive();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Cassandra", e);
    }
  }

  @Override
  public String toString() {
    return "ManagedCassandra["
        + contactPoint()
        + (owned() ? ", pid " + pid() : ", not owned")
        + "]";
  }
}
