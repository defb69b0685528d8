package io.agentruntime.node;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.ArrayList;
import java.util.List;

/**
 * Who wrote a session's journal, read straight from Cassandra: the writer of each event in sequence
 * order. An entity incarnation has a writer id of its own, so a session that never had two live
 * writers shows its writers in runs, each run taking over where the previous one ended, and a
 * writer that has been taken over never writes again.
 */
final class JournalWriters {

  private JournalWriters() {}

  /** The runs of writers over the journal of {@code persistenceId}, oldest first. */
  static List<String> runs(CqlSession cql, String keyspace, String persistenceId) {
    List<String> runs = new ArrayList<>();
    long expectedSeq = 1;
    for (long partition = 0; ; partition++) {
      List<Row> rows =
          cql.execute(
                  "SELECT sequence_nr, writer_uuid FROM "
                      + keyspace
                      + ".messages WHERE persistence_id = ? AND partition_nr = ?",
                  persistenceId,
                  partition)
              .all();
      if (rows.isEmpty()) {
        break;
      }
      for (Row row : rows) {
        if (row.getLong("sequence_nr") != expectedSeq) {
          throw new AssertionError(
              persistenceId
                  + ": event "
                  + expectedSeq
                  + " is missing, found "
                  + row.getLong("sequence_nr"));
        }
        expectedSeq++;
        String writer = row.getString("writer_uuid");
        if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(writer)) {
          if (runs.contains(writer)) {
            throw new AssertionError(
                persistenceId
                    + ": writer "
                    + writer
                    + " wrote again after another writer took over at event "
                    + row.getLong("sequence_nr")
                    + " (writers so far "
                    + runs
                    + ")");
          }
          runs.add(writer);
        }
      }
    }
    return runs;
  }
}
