package io.agentruntime.node;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import java.util.ArrayList;
import java.util.List;

/**
 * The journal's part of a turn without the runtime: one write of two events, as one persist of a
 * turn, with the Cassandra driver alone into the journal's {@code messages} table, rows copied from
 * session events journaled earlier in the run, QUORUM, synchronously (one at a time, like a
 * session's writes). Its time is the floor under each of a turn's persists.
 */
final class JournalWrites {

  private final CqlSession session;
  private final PreparedStatement insert;
  private final List<Row> samples = new ArrayList<>();
  private final String persistenceId = "floor-" + Long.toString(System.nanoTime(), 36);
  private long seq = 1;

  JournalWrites(CqlSession session, String keyspace) {
    this.session = session;
    this.insert =
        session.prepare(
            "INSERT INTO "
                + keyspace
                + ".messages (persistence_id, partition_nr, sequence_nr,"
                + " timestamp, timebucket, writer_uuid, ser_id, ser_manifest, event_manifest, event)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (Row row :
        session.execute(
            "SELECT persistence_id, timebucket, writer_uuid, ser_id, ser_manifest,"
                + " event_manifest, event FROM "
                + keyspace
                + ".messages LIMIT 2000")) {
      if (row.getString("persistence_id").startsWith("Session|")) {
        samples.add(row);
      }
    }
    if (samples.isEmpty()) {
      throw new IllegalStateException("no session events in the journal to copy");
    }
  }

  void writeTwoEvents() {
    BatchStatement batch = BatchStatement.newInstance(BatchType.UNLOGGED);
    for (int i = 0; i < 2; i++, seq++) {
      Row sample = samples.get((int) (seq % samples.size()));
      batch =
          batch.add(
              insert.bind(
                  persistenceId,
                  0L,
                  seq,
                  Uuids.timeBased(),
                  sample.getString("timebucket"),
                  sample.getString("writer_uuid"),
                  sample.getInt("ser_id"),
                  sample.getString("ser_manifest"),
                  sample.getString("event_manifest"),
                  sample.getByteBuffer("event")));
    }
    session.execute(batch.setConsistencyLevel(ConsistencyLevel.QUORUM));
  }
}
