package io.agentruntime.node;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The physical ceiling of the journal on this machine: how many events per second the Cassandra
 * Java driver alone writes into the journal's own {@code messages} table, rows shaped like the
 * runtime's (payloads copied from the session events the runtime journaled in the same run), the
 * same partitioning (one partition per writer, sequence numbers counting up), the same consistency
 * (QUORUM), the same batching (an unlogged batch of 2 events, as a turn's two persists; {@code
 * -Dbench.eventsPerWrite=1} for single rows, as the journal path alone of {@link
 * RuntimeJournalThroughput} writes) and the same concurrency (one write in flight per writer, as
 * one per entity). Run by {@code load-tests/bench} against its node's Cassandra once the
 * simulations are done: {@code JournalCeiling HOST:PORT KEYSPACE WRITERS SECONDS}; prints its
 * result as JSON.
 */
public final class JournalCeiling {

  private static final int EVENTS_PER_WRITE = Integer.getInteger("bench.eventsPerWrite", 2);
  private static final int WARM_UP_SECONDS = 5;

  private final CqlSession session;
  private final PreparedStatement insert;
  private final List<Row> samples;
  private final String run = Long.toString(System.currentTimeMillis(), 36);
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private volatile boolean running = true;

  private JournalCeiling(CqlSession session) {
    this.session = session;
    this.insert =
        session.prepare(
            "INSERT INTO messages (persistence_id, partition_nr, sequence_nr, timestamp, "
                + "timebucket, writer_uuid, ser_id, ser_manifest, event_manifest, event) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    this.samples = new ArrayList<>();
    for (Row row :
        session.execute(
            "SELECT persistence_id, timebucket, writer_uuid, ser_id, ser_manifest, "
                + "event_manifest, event FROM messages LIMIT 20000")) {
      if (row.getString("persistence_id").startsWith("Session|")) {
        samples.add(row);
      }
    }
    if (samples.isEmpty()) {
      throw new IllegalStateException(
          "no session events in the journal to copy: run the simulations first");
    }
  }

  public static void main(String[] args) throws Exception {
    String[] hostPort = args[0].split(":");
    int writers = Integer.parseInt(args[2]);
    int seconds = Integer.parseInt(args[3]);
    try (CqlSession session =
        CqlSession.builder()
            .addContactPoint(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))
            .withLocalDatacenter("datacenter1")
            .withKeyspace(args[1])
            .build()) {
      JournalCeiling ceiling = new JournalCeiling(session);
      List<CompletableFuture<Void>> loops = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        ceiling.writeFrom("ceiling-" + ceiling.run + "-" + w, 1, stopped);
        loops.add(stopped);
      }
      Thread.sleep(WARM_UP_SECONDS * 1000L);
      long startEvents = ceiling.events.get();
      long startBytes = ceiling.bytes.get();
      long start = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long written = ceiling.events.get() - startEvents;
      long payload = ceiling.bytes.get() - startBytes;
      double elapsed = (System.nanoTime() - start) / 1e9;
      ceiling.running = false;
      CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).join();
      System.out.printf(
          java.util.Locale.ROOT,
          "{\"writers\": %d, \"eventsPerWrite\": %d, \"consistency\": \"QUORUM\", \"seconds\": %.1f, \"events\": %d,"
              + " \"meanEventBytes\": %d, \"sampledEvents\": %d, \"eventsPerSecond\": %.0f}%n",
          writers,
          EVENTS_PER_WRITE,
          elapsed,
          written,
          written == 0 ? 0 : payload / written,
          ceiling.samples.size(),
          written / elapsed);
    }
  }

  /**
   * One writer: a batch of events into its own partition, the next once the last is acknowledged.
   */
  private void writeFrom(String persistenceId, long seq, CompletableFuture<Void> stopped) {
    if (!running) {
      stopped.complete(null);
      return;
    }
    BatchStatement batch = BatchStatement.newInstance(BatchType.UNLOGGED);
    long size = 0;
    for (int i = 0; i < EVENTS_PER_WRITE; i++) {
      Row sample = samples.get((int) ((seq + i) % samples.size()));
      size += sample.getByteBuffer("event").remaining();
      batch =
          batch.add(
              insert.bind(
                  persistenceId,
                  0L,
                  seq + i,
                  Uuids.timeBased(),
                  sample.getString("timebucket"),
                  sample.getString("writer_uuid"),
                  sample.getInt("ser_id"),
                  sample.getString("ser_manifest"),
                  sample.getString("event_manifest"),
                  sample.getByteBuffer("event")));
    }
    long batchBytes = size;
    session
        .executeAsync(batch.setConsistencyLevel(ConsistencyLevel.QUORUM))
        .whenComplete(
            (done, failure) -> {
              if (failure != null) {
                stopped.completeExceptionally(failure);
                return;
              }
              events.addAndGet(EVENTS_PER_WRITE);
              bytes.addAndGet(batchBytes);
              writeFrom(persistenceId, seq + EVENTS_PER_WRITE, stopped);
            });
  }
}
