package io.agentruntime.node;

import com.fasterxml.jackson.databind.node.TextNode;
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
 * working on it, the next step as soon as the last one was answered, then the next session. Two
 * workloads ({@code -Dbench.workload}):
 *
 * <ul>
 *   <li>{@code turns} (default): the turns simulation's, through the node's session facade instead
 *       of HTTP: 10 turns a session, each one ask answered once the turn settled, as {@code POST
 *       .../messages?waitSeconds=} asks (the scripted model, 4 journaled events a turn in two
 *       persists, 1 per session created: the rows, batching and concurrency of {@link
 *       JournalCeiling}). Everything a turn does in the runtime is in it: sharding, the entity,
 *       serialization, the Cassandra journal plugin, the model call and the waiting reply.
 *   <li>{@code journal}: the journal path alone: 100 memory writes a session, one journaled event
 *       each (an ask, sharding, the entity, one persist, the reply), against the ceiling of single
 *       rows ({@code JournalCeiling} with {@code -Dbench.eventsPerWrite=1} on this run's keyspace).
 * </ul>
 *
 * Run by {@code load-tests/bench} next to the ceiling: {@code RuntimeJournalThroughput HOST:PORT
 * WRITERS SECONDS RESULT_FILE}; writes its result as JSON, with the keyspace it wrote (standard
 * output carries the node's log).
 */
public final class RuntimeJournalThroughput {

  private static final int EVENTS_PER_TURN = 4;
  private static final boolean JOURNAL_PATH =
      "journal".equals(System.getProperty("bench.workload", "turns"));

  /** Turns (or memory writes) a session: {@code -Dbench.turnsPerSession=N} for longer sessions. */
  private static final int STEPS_PER_SESSION =
      Integer.getInteger("bench.turnsPerSession", JOURNAL_PATH ? 100 : 10);

  private static final int WARM_UP_SECONDS = 10;
  private static final String MEMORY_VALUE =
      "Where is my order? It was due on Monday and has not arrived. ".repeat(2);
  private static final String TENANT = "bench";
  private static final Caller CALLER = new Caller("bench", false);
  private static final SessionSpec SPEC =
      new SessionSpec(
          new AgentDefinition("You help the billing team.", "scripted", new Limits(4, 60, 0, null)),
          null,
          null,
          null,
          null);

  private final Sessions sessions;
  private final AtomicLong steps = new AtomicLong();
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
    String keyspace = "journal_bench_" + Long.toString(System.currentTimeMillis(), 36);
    Node node = Node.start(config(cassandra, keyspace));
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
      long startSteps = bench.steps.get();
      long startCreated = bench.created.get();
      long startFailures = bench.failures.get();
      long start = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long done = bench.steps.get() - startSteps;
      long sessions = bench.created.get() - startCreated;
      long failed = bench.failures.get() - startFailures;
      double elapsed = (System.nanoTime() - start) / 1e9;
      bench.running = false;
      CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get();
      java.nio.file.Files.writeString(
          java.nio.file.Path.of(args[3]),
          String.format(
              java.util.Locale.ROOT,
              "{\"workload\": \"%s\", \"keyspace\": \"%s\", \"writers\": %d, \"seconds\": %.1f, \"steps\": %d, "
                  + "\"sessionsCreated\": %d, \"failed\": %d, \"stepsPerSecond\": %.0f, \"eventsPerSecond\": %.0f}%n",
              JOURNAL_PATH ? "journal" : "turns",
              keyspace,
              writers,
              elapsed,
              done,
              sessions,
              failed,
              done / elapsed,
              ((JOURNAL_PATH ? 1 : EVENTS_PER_TURN) * done + sessions) / elapsed));
    } finally {
      node.stop(Duration.ofSeconds(30));
    }
  }

  /**
   * The dev profile's settings against the bench's Cassandra, in a keyspace of its own (so the
   * shard coordinator and remembered entities of the node under test are never written by a second
   * cluster), on free ports.
   */
  private static Config config(String cassandra, String keyspace) throws IOException {
    System.setProperty("agent-runtime.node.managed-cassandra", "false");
    System.setProperty("agent-runtime.node.migrate-on-start", "true");
    System.setProperty("agent-runtime.cassandra.contact-points", cassandra);
    // A new keyspace every run: a keyspace of an earlier run would bring back its remembered
    // sessions, thousands of recoveries competing with the measurement.
    System.setProperty("agent-runtime.cassandra.keyspace", keyspace);
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

  /**
   * Session {@code prefix-n}: created, then its turns (or writes); then session n + 1, until the
   * run ends.
   */
  private void sessionsOf(String prefix, int n, CompletableFuture<Void> stopped) {
    if (!running) {
      stopped.complete(null);
      return;
    }
    String session = prefix + "-" + n;
    sessions
        .ask(
            TENANT,
            session,
            replyTo ->
                new SessionCommand.CreateSession(
                    CALLER, SPEC, SessionCommand.CreateMode.CREATE_NEW, replyTo))
        .whenComplete(
            (reply, failure) -> {
              if (failure == null && reply instanceof SessionReply.Created) {
                created.incrementAndGet();
                Runnable next = () -> sessionsOf(prefix, n + 1, stopped);
                if (JOURNAL_PATH) {
                  memoryWritesOf(session, STEPS_PER_SESSION, next);
                } else {
                  turnsOf(session, STEPS_PER_SESSION, next);
                }
              } else {
                failures.incrementAndGet();
                sessionsOf(prefix, n + 1, stopped);
              }
            });
  }

  /** {@code left} memory writes on {@code session}, one after the other: one event each. */
  private void memoryWritesOf(String session, int left, Runnable then) {
    if (left == 0 || !running) {
      then.run();
      return;
    }
    sessions
        .ask(
            TENANT,
            session,
            replyTo ->
                new SessionCommand.WriteMemory(
                    CALLER, "note-" + (left % 4), TextNode.valueOf(MEMORY_VALUE), replyTo))
        .whenComplete(
            (reply, failure) -> {
              if (failure == null && reply instanceof SessionReply.Current) {
                steps.incrementAndGet();
              } else {
                failures.incrementAndGet();
              }
              memoryWritesOf(session, left - 1, then);
            });
  }

  /** {@code left} turns on {@code session}, one after the other, as a client awaiting each. */
  private void turnsOf(String session, int left, Runnable then) {
    if (left == 0 || !running) {
      then.run();
      return;
    }
    // As POST .../messages?waitSeconds=10 asks: one ask, answered once the turn has settled.
    long answerBy = System.currentTimeMillis() + 10_000;
    sessions
        .ask(
            TENANT,
            session,
            replyTo ->
                new SessionCommand.SendUserMessage(
                    CALLER, "Where is my order?", OnBusy.QUEUE, null, null, answerBy, replyTo),
            Duration.ofSeconds(15))
        .whenComplete(
            (settled, failure) -> {
              if (failure == null
                  && settled instanceof SessionReply.TurnAccepted found
                  && found.turn().settled()) {
                steps.incrementAndGet();
              } else {
                failures.incrementAndGet();
              }
              turnsOf(session, left - 1, then);
            });
  }
}
