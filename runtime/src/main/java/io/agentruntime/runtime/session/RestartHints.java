package io.agentruntime.runtime.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions this node has work in flight for, kept in a file so that a restart in place wakes
 * them first (decision 0068). After a kill the shard coordinator brings the remembered shards back
 * one at a time, each after a journal write, in no particular order: the session whose tool call
 * was cut off waited behind every shard that had been busy in the last minutes. The restarted node
 * reads this file and wakes the sessions in it as soon as their sharding starts, so their shards
 * are asked for before the remembered ones are queued.
 *
 * <p>A hint only, never a guarantee: remembered entities still bring every session back, so a file
 * that is missing, stale or cut short costs time, not work. It is rewritten at most every {@code
 * flush-interval}, on a thread of its own, without fsync: a process killed keeps what it wrote, a
 * machine that loses power may lose the last changes. It holds session ids, never content.
 */
public final class RestartHints implements Extension {

  private static final Logger log = LoggerFactory.getLogger(RestartHints.class);

  /** More lines than this in the file are ignored: a hint must not hold a restart up. */
  static final int MOST_WOKEN = 10_000;

  /** The extension's id: {@code RestartHints.get(system)}. */
  public static final class Id extends ExtensionId<RestartHints> {
    @Override
    public RestartHints createExtension(ActorSystem<?> system) {
      var config = system.settings().config().getConfig("agent-runtime.session.restart-hints");
      String file = config.getString("file");
      RestartHints hints =
          new RestartHints(
              file.isBlank() ? null : Path.of(file),
              () -> CoordinatedShutdown.get(system).getShutdownReason().isPresent());
      hints.startFlushing(config.getDuration("flush-interval"), system);
      return hints;
    }
  }

  private static final Id ID = new Id();

  /** This actor system's hints; off (nothing kept, nothing read) when no file is configured. */
  public static RestartHints get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final Path file;
  private final BooleanSupplier shuttingDown;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean changed = new AtomicBoolean();
  private final AtomicBoolean warned = new AtomicBoolean();

  /**
   * @param file where the hints are kept; null: off
   * @param shuttingDown whether the node is stopping (a session stopped then keeps its hint)
   */
  RestartHints(Path file, BooleanSupplier shuttingDown) {
    this.file = file;
    this.shuttingDown = shuttingDown;
  }

  /** Whether a file is configured. */
  public boolean on() {
    return file != null;
  }

  /** A session's state went from {@code before} to {@code after} (live or in its recovery). */
  void folded(String entityId, SessionState before, SessionState after) {
    if (file != null) {
      changed(entityId, before.workInFlight(), after.workInFlight());
    }
  }

  /** Whether the session had work in flight before an event, and has after it. */
  void changed(String entityId, boolean before, boolean after) {
    if (file != null && before != after) {
      note(entityId, after);
    }
  }

  /**
   * A session stopped. Passivated or moved to another node: its hint goes. Stopped because the node
   * stops: it keeps it, for the next start in place.
   */
  void stopped(String entityId) {
    if (file != null && !shuttingDown.getAsBoolean()) {
      note(entityId, false);
    }
  }

  private void note(String entityId, boolean working) {
    boolean differs = working ? inFlight.add(entityId) : inFlight.remove(entityId);
    if (differs) {
      changed.set(true);
    }
  }

  /**
   * Reads the sessions the last run of this node had work in flight for and hands each to {@code
   * wake}, once; the file is left as it is until the next flush rewrites it. Returns how many.
   */
  public int wakeLastRun(Consumer<String> wake) {
    List<String> ids = read();
    ids.forEach(wake);
    if (!ids.isEmpty()) {
      log.info(
          "Woke {} session(s) the last run had work in flight for, before the rest", ids.size());
    }
    return ids.size();
  }

  List<String> read() {
    if (file == null || !Files.isRegularFile(file)) {
      return List.of();
    }
    try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
      Set<String> ids = new LinkedHashSet<>();
      lines.map(String::strip).filter(l -> !l.isEmpty()).limit(MOST_WOKEN).forEach(ids::add);
      return new ArrayList<>(ids);
    } catch (IOException | java.io.UncheckedIOException e) {
      log.warn("Could not read the restart hints in {}: {}", file, e.toString());
      return List.of();
    }
  }

  /** Writes the file if the sessions with work in flight changed since the last write. */
  void flush() {
    if (file == null || !changed.getAndSet(false)) {
      return;
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path next = parent.resolve(file.getFileName() + ".next");
      Files.write(next, String.join("\n", List.copyOf(inFlight)).getBytes(StandardCharsets.UTF_8));
      Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      changed.set(true); // tried again at the next tick
      if (warned.compareAndSet(false, true)) {
        log.warn("Could not write the restart hints to {}: {}", file, e.toString());
      }
    }
  }

  private void startFlushing(Duration interval, ActorSystem<?> system) {
    if (file == null) {
      return;
    }
    ScheduledExecutorService writer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "restart-hints");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(1, interval.toMillis());
    writer.scheduleWithFixedDelay(this::flush, every, every, TimeUnit.MILLISECONDS);
    system
        .getWhenTerminated()
        .whenComplete(
            (done, failure) -> {
              writer.shutdown();
              flush(); // the sessions still working when the node stopped
            });
  }
}
