package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.cql.Row;
import io.agentruntime.persistence.testing.TestCassandra;
import io.agentruntime.runtime.session.SessionEntity;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long the first request to a passivated session takes, recovering from a snapshot or from its
 * events alone. One node (snapshot every 100 events) on the test Cassandra gets three sets of
 * sessions of {@code bench.events} events each, written over HTTP (turns answered by the scripted
 * model, and memory writes). Each passivates normally, saving a snapshot at its tip (decision
 * 0051); the second set then loses that newest snapshot, so it recovers as after a crash, from the
 * scheduled snapshot before it and the events since; the third loses all its snapshots, so it
 * recovers exactly as with snapshots turned off. Once all have passivated, sessions are read in
 * rounds, the two sets interleaved, one request at a time, timing GET /v1/sessions/{id} as a client
 * sees it; each session is read then for the first time since it was written (no cache of Cassandra
 * holds it yet), and once more, in memory, as a baseline. Same node, same data, same warm JIT for
 * both cases. Not a test: run it with {@code mvn -B -o verify -Pbenchmarks -pl cluster-config
 * -Dit.test=PassivatedRecoveryBenchmark} (see BENCHMARKS.md).
 */
class PassivatedRecoveryBenchmark {

  // Sessions timed per round and per case, and rounds.
  static final int SESSIONS = Integer.getInteger("bench.sessions", 20);
  static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  // 1,050: recovery with snapshots loads the one at (about) 1,000 and replays about 50 events, the
  // average tail with a snapshot every 100; recovery from events alone replays all 1,050.
  static final int EVENTS = Integer.getInteger("bench.events", 1050);
  static final int SNAPSHOT_EVERY = 100;
  static final int EVENTS_PER_TURN = 4;
  // Sessions of each set recovered untimed first: both JVMs (node and Cassandra) start cold.
  static final int WARM_UP = Integer.getInteger("bench.warmup", 10);
  // A round during which other processes (say, builds on a shared machine) used more than this
  // percentage of the CPU is left out.
  static final double MAX_OTHERS_PERCENT = 10;
  // A session that passivates journals one marker event, where its snapshot is saved.
  static final long PASSIVATED_SEQ = EVENTS + 1;
  static final String TEXT =
      "Please summarise the open tickets of the billing team for this week. ".repeat(3);

  @TempDir static Path dir;

  @Test
  void firstRequestToAPassivatedSession() throws Exception {
    String keyspace = TestCassandra.uniqueKeyspaceName("bench_recovery");
    Node node =
        Node.start(
            TestNodes.config(
                keyspace,
                TestKeysFile.write(dir),
                Map.of(
                    "agent-runtime.session.snapshot-every",
                    SNAPSHOT_EVERY,
                    "agent-runtime.http.rate-limit.per-second",
                    0,
                    "agent-runtime.turns.idle-timeout",
                    "2s")));
    try {
      HttpClientSupport ada = new HttpClientSupport(TestNodes.baseUrl(node), TestKeysFile.ADA);
      List<String> snapshotted = ids("snap", WARM_UP + ROUNDS * SESSIONS);
      List<String> crashed = ids("crash", WARM_UP + ROUNDS * SESSIONS);
      List<String> eventsOnly = ids("events", WARM_UP + ROUNDS * SESSIONS);
      List<String> all = Stream.of(snapshotted, crashed, eventsOnly).flatMap(List::stream).toList();
      writeSessions(ada, all);
      // Once passivated, no session has a snapshot write in flight.
      awaitPassivated(node, all);
      crashed.forEach(id -> deleteNewestSnapshot(keyspace, id));
      eventsOnly.forEach(
          id ->
              TestCassandra.get()
                  .session()
                  .execute(
                      "DELETE FROM " + keyspace + ".snapshots WHERE persistence_id = ?",
                      persistenceId(id)));
      String withSnapshot = recoveryReads(keyspace, snapshotted);
      String afterCrash = recoveryReads(keyspace, crashed);
      String withoutSnapshot = recoveryReads(keyspace, eventsOnly);
      for (int i = 0; i < WARM_UP; i++) {
        for (List<String> set : List.of(snapshotted, crashed, eventsOnly)) {
          assertEquals(200, ada.get("/v1/sessions/" + set.get(i)).statusCode());
        }
      }

      List<Double> fromSnapshot = new ArrayList<>();
      List<Double> fromCrash = new ArrayList<>();
      List<Double> fromEvents = new ArrayList<>();
      List<Double> inMemory = new ArrayList<>();
      List<String> othersPercent = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        awaitPassivated(node, all); // the sessions read before too, so that none stops while timing
        if (!MachineLoad.awaitQuiet(Duration.ofSeconds(3), Duration.ofMinutes(10))) {
          System.err.println("The machine did not get quiet within 10 minutes; measuring anyway");
        }
        MachineLoad load =
            MachineLoad.measure(List.of(ProcessHandle.current(), cassandraProcess()));
        double[][] millis = new double[6][SESSIONS];
        for (int i = 0; i < SESSIONS; i++) {
          int session = WARM_UP + round * SESSIONS + i;
          millis[0][i] = timedGet(ada, snapshotted.get(session));
          millis[1][i] = timedGet(ada, snapshotted.get(session));
          millis[2][i] = timedGet(ada, eventsOnly.get(session));
          millis[3][i] = timedGet(ada, eventsOnly.get(session));
          millis[4][i] = timedGet(ada, crashed.get(session));
          millis[5][i] = timedGet(ada, crashed.get(session));
        }
        double others = load.othersPercent();
        othersPercent.add(
            String.format("%.0f%%", others) + (others > MAX_OTHERS_PERCENT ? " (left out)" : ""));
        if (others <= MAX_OTHERS_PERCENT) {
          Arrays.stream(millis[0]).forEach(fromSnapshot::add);
          Arrays.stream(millis[2]).forEach(fromEvents::add);
          Arrays.stream(millis[4]).forEach(fromCrash::add);
          Stream.of(millis[1], millis[3], millis[5])
              .flatMapToDouble(Arrays::stream)
              .forEach(inMemory::add);
        }
      }
      report(
          othersPercent,
          List.of(
              row(
                  "first GET, passivated normally: recovery from the snapshot at its tip",
                  withSnapshot,
                  fromSnapshot),
              row(
                  "first GET, as after a crash: recovery from the scheduled snapshot and the events since",
                  afterCrash,
                  fromCrash),
              row("first GET, recovery from events alone", withoutSnapshot, fromEvents),
              row("second GET, in memory (baseline)", "none", inMemory)));
      writeJson(fromSnapshot, fromCrash, fromEvents, inMemory);
    } finally {
      node.stop(Duration.ofSeconds(30));
    }
  }

  private static List<String> ids(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
  }

  /** Creates every session and writes it up to EVENTS events, sessions in parallel. */
  private static void writeSessions(HttpClientSupport ada, List<String> ids) {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CompletableFuture.allOf(
              ids.stream()
                  .map(id -> CompletableFuture.runAsync(() -> writeSession(ada, id), pool))
                  .toArray(CompletableFuture[]::new))
          .join();
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Creates the session, then writes turns (four events each: the user's message, the turn's start,
   * the scripted model's reply, the turn's completion), each followed by a memory write (one
   * event), and memory writes alone for the last few events.
   */
  private static void writeSession(HttpClientSupport ada, String id) {
    String path = "/v1/sessions/" + id;
    assertEquals(
        201,
        ada.put(path, "{\"agent\": {\"instructions\": \"You help the billing team.\"}}")
            .statusCode());
    int seq = 1; // SessionCreated
    while (seq < EVENTS) {
      if (EVENTS - seq > EVENTS_PER_TURN) {
        HttpResponse<String> turn =
            ada.post(
                path + "/messages?waitSeconds=10", "{\"content\": \"" + seq + ": " + TEXT + "\"}");
        assertTrue(
            turn.statusCode() == 200 && turn.body().contains("\"status\":\"completed\""),
            turn.body());
        seq += EVENTS_PER_TURN;
      }
      HttpResponse<String> memory =
          ada.put(
              path + "/memory/note-" + seq % 20,
              "{\"n\": " + seq + ", \"text\": \"" + TEXT + "\"}");
      assertEquals(200, memory.statusCode(), memory.body());
      seq++;
    }
    String session = ada.get(path).body();
    assertTrue(
        session.contains("\"lastSeq\":" + EVENTS + ","),
        "a turn is not " + EVENTS_PER_TURN + " events: " + session);
  }

  /** What a crash leaves: no snapshot at the tip (the one passivation saved is deleted). */
  private static void deleteNewestSnapshot(String keyspace, String id) {
    Row newest =
        TestCassandra.get()
            .session()
            .execute(
                "SELECT sequence_nr FROM "
                    + keyspace
                    + ".snapshots WHERE persistence_id = ? LIMIT 1",
                persistenceId(id))
            .one();
    assertEquals(
        PASSIVATED_SEQ,
        newest.getLong("sequence_nr"),
        "the snapshot saved at passivation, of " + id);
    TestCassandra.get()
        .session()
        .execute(
            "DELETE FROM " + keyspace + ".snapshots WHERE persistence_id = ? AND sequence_nr = ?",
            persistenceId(id),
            PASSIVATED_SEQ);
  }

  private static void awaitPassivated(Node node, List<String> ids) throws Exception {
    for (String id : ids) {
      ShardState.awaitNoEntity(
          node.system(), SessionEntity.entityId("acme", id), Duration.ofSeconds(30));
    }
  }

  private static double timedGet(HttpClientSupport ada, String id) {
    long start = System.nanoTime();
    HttpResponse<String> r = ada.get("/v1/sessions/" + id);
    double millis = (System.nanoTime() - start) / 1e6;
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"lastSeq\":" + PASSIVATED_SEQ + ","), r.body());
    return millis;
  }

  /**
   * What recovering these sessions reads, from the snapshot store rather than assumed. A scheduled
   * snapshot follows the batch of events that crosses a multiple of SNAPSHOT_EVERY, so it may lie a
   * few events past it; every session of a set has the same history, so the same snapshot.
   */
  private static String recoveryReads(String keyspace, List<String> ids) {
    boolean expectSnapshot = !ids.get(0).startsWith("events");
    boolean expectTip = ids.get(0).startsWith("snap");
    long snapshotSeq = -1;
    long bytes = 0;
    for (String id : ids) {
      Row latest =
          TestCassandra.get()
              .session()
              .execute(
                  "SELECT sequence_nr, snapshot_data FROM "
                      + keyspace
                      + ".snapshots WHERE persistence_id = ? LIMIT 1",
                  persistenceId(id))
              .one();
      assertEquals(expectSnapshot, latest != null, "a snapshot of " + id);
      if (latest != null) {
        assertTrue(
            snapshotSeq == -1 || snapshotSeq == latest.getLong("sequence_nr"),
            "snapshots of " + ids);
        snapshotSeq = latest.getLong("sequence_nr");
        bytes = latest.getByteBuffer("snapshot_data").remaining();
      }
    }
    if (!expectSnapshot) {
      return "no snapshot, " + PASSIVATED_SEQ + " events";
    }
    assertTrue(
        expectTip
            ? snapshotSeq == PASSIVATED_SEQ
            : snapshotSeq >= EVENTS / SNAPSHOT_EVERY * SNAPSHOT_EVERY,
        "latest snapshot at " + snapshotSeq);
    return "snapshot at "
        + snapshotSeq
        + " ("
        + bytes / 1024
        + " KiB) + "
        + (PASSIVATED_SEQ - snapshotSeq)
        + " events";
  }

  private static String persistenceId(String id) {
    return PersistenceId.of(SessionEntity.TYPE_KEY.name(), SessionEntity.entityId("acme", id)).id();
  }

  private static ProcessHandle cassandraProcess() {
    return ProcessHandle.of(TestCassandra.get().node().pid())
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "the test Cassandra is not this JVM's own: its CPU could not be told from other processes'"));
  }

  private static String row(String name, String reads, List<Double> millis) {
    if (millis.isEmpty()) {
      return String.format("| %s | 0 | %d | %s | | | | | |", name, EVENTS, reads);
    }
    List<Double> sorted = millis.stream().sorted().toList();
    return String.format(
        "| %s | %d | %d | %s | %.1f | %.1f | %.1f | %.1f | %.1f |",
        name,
        sorted.size(),
        EVENTS,
        reads,
        rank(sorted, 0.50),
        rank(sorted, 0.90),
        rank(sorted, 0.99),
        sorted.get(sorted.size() - 1),
        sorted.stream().mapToDouble(Double::doubleValue).average().orElse(0));
  }

  /**
   * The percentiles as JSON, for load-tests/bench: target/benchmarks/passivated-recovery.json.
   * {@code withSnapshot} is the session that passivated normally (snapshot at its tip), {@code
   * afterCrash} the one recovering from the scheduled snapshot and the events since.
   */
  private static void writeJson(
      List<Double> fromSnapshot,
      List<Double> fromCrash,
      List<Double> fromEvents,
      List<Double> inMemory)
      throws Exception {
    String json =
        String.format(
            java.util.Locale.ROOT,
            "{\"events\": %d, \"samples\": %d, \"withSnapshotP50Ms\": %.1f, \"withSnapshotP99Ms\": %.1f,"
                + " \"afterCrashP50Ms\": %.1f, \"afterCrashP99Ms\": %.1f,"
                + " \"withoutSnapshotP50Ms\": %.1f, \"withoutSnapshotP99Ms\": %.1f, \"inMemoryP99Ms\": %.1f}%n",
            EVENTS,
            fromSnapshot.size(),
            percentile(fromSnapshot, 0.50),
            percentile(fromSnapshot, 0.99),
            percentile(fromCrash, 0.50),
            percentile(fromCrash, 0.99),
            percentile(fromEvents, 0.50),
            percentile(fromEvents, 0.99),
            percentile(inMemory, 0.99));
    Path out = Path.of("target", "benchmarks", "passivated-recovery.json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, json);
  }

  private static double percentile(List<Double> millis, double p) {
    return millis.isEmpty() ? -1 : rank(millis.stream().sorted().toList(), p);
  }

  /** Nearest-rank percentile. */
  private static double rank(List<Double> sorted, double p) {
    return sorted.get((int) Math.ceil(p * sorted.size()) - 1);
  }

  /** Prints the table and writes it to target/benchmarks/passivated-recovery.md. */
  private static void report(List<String> othersPercent, List<String> rows) throws Exception {
    String report =
        "First GET /v1/sessions/{id} of a passivated session, measured "
            + Instant.now()
            + " on "
            + Runtime.getRuntime().availableProcessors()
            + " cores, Java "
            + System.getProperty("java.version")
            + "; CPU used by other processes in each round: "
            + String.join(", ", othersPercent)
            + ".\n\n"
            + "| request | samples | events each | recovery reads | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | mean (ms) |\n"
            + "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
            + String.join("\n", rows)
            + "\n";
    System.out.println(report);
    Path out = Path.of("target", "benchmarks", "passivated-recovery.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
  }
}
