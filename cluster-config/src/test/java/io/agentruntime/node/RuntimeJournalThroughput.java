package io.agentruntime.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.runtime.session.AgentDefinition;
import io.agentruntime.runtime.session.Caller;
import io.agentruntime.runtime.session.Limits;
import io.agentruntime.runtime.session.OnBusy;
import io.agentruntime.runtime.session.SessionCommand;
import io.agentruntime.runtime.session.SessionReply;
import io.agentruntime.runtime.session.SessionSpec;
import io.agentruntime.runtime.session.Sessions;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The runtime's own journal throughput, without HTTP and without a load generator on the same
 * cores: a node started in this JVM (the dev profile's settings, no managed Cassandra, a keyspace
 * of its own on the given Cassandra) and {@code WRITERS} clients, each creating a session and
 * sending it 10 turns, one as soon as the last one completed, then the next session: the
 * workload of the turns simulation, through the node's session facade instead of HTTP (the
 * scripted model, 4 journaled events a turn in two persists, 1 per session created: the rows,
 * batching and concurrency of {@link JournalCeiling}). Everything a turn does in the runtime is in it: sharding, the entity,
 * serialization, the Cassandra journal plugin, the model call and the waiting reply.
 * Run by {@code load-tests/bench} next to the ceiling:
 * {@code RuntimeJournalThroughput HOST:PORT WRITERS SECONDS RESULT_FILE}; writes its result as JSON
 * (standard output carries the node's log).
 */
public final class RuntimeJournalThroughput {

  private static final int EVENTS_PER_TURN = 4;
  /** As the turns simulation; {@code -Dbench.turnsPerSession=N} for longer sessions. */
  private static final int TURNS_PER_SESSION = Integer.getInteger("bench.turnsPerSession", 10);
  private static final int WARM_UP_SECONDS = 10;
  private static final String TENANT = "bench";
  private static final Caller CALLER = new Caller("bench", false);
  private static final SessionSpec SPEC = new SessionSpec(
      new AgentDefinition("You help the billing team.", "scripted", new Limits(4, 60)), null, null, null, null);

  private final Sessions sessions;
  private final AtomicLong turns = new AtomicLong();
  private final AtomicLong created = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean running = true;

  private RuntimeJournalThroughput(Sessions sessions) {
    this.sessions = sessions;
  }

  public static void main(String[] args) throws Exception {
    String cassandra = args[0];
    int writers = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    Node node = Node.start(config(cassandra));
    try {
      RuntimeJournalThroughput bench = new RuntimeJournalThroughput(node.sessions());
      String run = Long.toString(System.currentTimeMillis(), 36);
      List<CompletableFuture<Void>> loops = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        bench.sessionsOf("journal-" + run + "-" + w, 0, stopped);
        loops.add(stopped);
      }
      Thread.sleep(WARM_UP_SECONDS * 1000L);
      long startTurns = bench.turns.get();
      long startCreated = bench.created.get();
      long startFailures = bench.failures.get();
      long start = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long done = bench.turns.get() - startTurns;
      long sessions = bench.created.get() - startCreated;
      long failed = bench.failures.get() - startFailures;
      double elapsed = (System.nanoTime() - start) / 1e9;
      bench.running = false;
      CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get();
      java.nio.file.Files.writeString(java.nio.file.Path.of(args[3]), String.format(java.util.Locale.ROOT,
          "{\"writers\": %d, \"seconds\": %.1f, \"turns\": %d, \"sessionsCreated\": %d, \"failed\": %d, "
              + "\"turnsPerSecond\": %.0f, \"eventsPerSecond\": %.0f}%n",
          writers, elapsed, done, sessions, failed, done / elapsed, (EVENTS_PER_TURN * done + sessions) / elapsed));
    } finally {
      node.stop(Duration.ofSeconds(30));
    }
  }

  /**
   * The dev profile's settings against the bench's Cassandra, in a keyspace of its own (so the
   * shard coordinator and remembered entities of the node under test are never written by a
   * second cluster), on free ports.
   */
  private static Config config(String cassandra) throws IOException {
    System.setProperty("agent-runtime.node.managed-cassandra", "false");
    System.setProperty("agent-runtime.node.migrate-on-start", "true");
    System.setProperty("agent-runtime.cassandra.contact-points", cassandra);
    // A new keyspace every run: a keyspace of an earlier run would bring back its remembered
    // sessions, thousands of recoveries competing with the measurement.
    System.setProperty("agent-runtime.cassandra.keyspace", "journal_bench_" + Long.toString(System.currentTimeMillis(), 36));
    System.setProperty("agent-runtime.http.port", "0");
    System.setProperty("pekko.remote.artery.canonical.port", "0");
    System.setProperty("pekko.management.http.port", Integer.toString(freePort()));
    ConfigFactory.invalidateCaches();
    return ConfigFactory.load("dev");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Session {@code prefix-n}: created, then its turns; then session n + 1, until the run ends. */
  private void sessionsOf(String prefix, int n, CompletableFuture<Void> stopped) {
    if (!running) {
      stopped.complete(null);
      return;
    }
    String session = prefix + "-" + n;
    sessions.ask(TENANT, session, replyTo ->
            new SessionCommand.CreateSession(CALLER, SPEC, SessionCommand.CreateMode.CREATE_NEW, replyTo))
        .whenComplete((reply, failure) -> {
          if (failure == null && reply instanceof SessionReply.Created) {
            created.incrementAndGet();
            turnsOf(session, TURNS_PER_SESSION, () -> sessionsOf(prefix, n + 1, stopped));
          } else {
            failures.incrementAndGet();
            sessionsOf(prefix, n + 1, stopped);
          }
        });
  }

  /** {@code left} turns on {@code session}, one after the other, as a client awaiting each. */
  private void turnsOf(String session, int left, Runnable then) {
    if (left == 0 || !running) {
      then.run();
      return;
    }
    sessions.ask(TENANT, session, replyTo ->
            new SessionCommand.SendUserMessage(CALLER, "Where is my order?", OnBusy.QUEUE, null, replyTo))
        .thenCompose(accepted -> {
          if (!(accepted instanceof SessionReply.TurnAccepted turn)) {
            throw new IllegalStateException("turn not accepted: " + accepted);
          }
          return sessions.ask(TENANT, session, replyTo ->
              new SessionCommand.AwaitTurn(CALLER, turn.turn().id(), replyTo));
        })
        .whenComplete((settled, failure) -> {
          if (failure == null && settled instanceof SessionReply.TurnFound found && found.turn().settled()) {
            turns.incrementAndGet();
          } else {
            failures.incrementAndGet();
          }
          turnsOf(session, left - 1, then);
        });
  }
}
