package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.RequestKeys.Use;
import io.agentruntime.runtime.session.SessionEvent.IdempotencyKeyRecorded;
import io.agentruntime.runtime.session.SessionEvent.MemoryWritten;
import io.agentruntime.runtime.session.SessionEvent.UserMessageAccepted;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The idempotency keys of writes, as a table: what a keyed request is, what it journals. */
class RequestKeysTest {

  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
  private static final String FP = RequestKeys.fingerprint("memory.put", "ada", "k", "1");
  private static final String OTHER = RequestKeys.fingerprint("memory.put", "ada", "k", "2");

  private static SessionState keyed() {
    return Samples.state().apply(new IdempotencyKeyRecorded("key-1", FP, NOW));
  }

  private static SessionState messaged() {
    return Samples.state().apply(new UserMessageAccepted("turn_9", "hi", "key-2", "ada", NOW));
  }

  private record Row(String name, SessionState given, String key, String fingerprint, Use is) {}

  @Test
  void whatAKeyedRequestIs() {
    List<Row> rows =
        List.of(
            new Row("a key never seen", Samples.state(), "key-1", FP, Use.NEW),
            new Row("the same request again", keyed(), "key-1", FP, Use.REPEAT),
            new Row("another request under the key", keyed(), "key-1", OTHER, Use.REUSED),
            new Row("another key", keyed(), "key-3", FP, Use.NEW),
            new Row("a key a message used", messaged(), "key-2", FP, Use.REUSED));
    for (Row row : rows) {
      assertEquals(
          row.is(), RequestKeys.use(row.given(), row.key(), row.fingerprint()), row.name());
    }
  }

  @Test
  void aWriteJournalsItsKeyAfterItsEvents() {
    MemoryWritten written = new MemoryWritten("k", null, "ada", NOW);
    Decision d = RequestKeys.recorded(Decision.of(written), "key-1", FP, NOW);
    assertEquals(List.of(written, new IdempotencyKeyRecorded("key-1", FP, NOW)), d.events());
    assertFalse(d.refused());
  }

  @Test
  void aRefusalOrNothingToDoJournalsNoKey() {
    Decision refused = Decision.refuse(Problem.notFound());
    assertEquals(refused, RequestKeys.recorded(refused, "key-1", FP, NOW));
    assertEquals(Decision.none(), RequestKeys.recorded(Decision.none(), "key-1", FP, NOW));
  }

  @Test
  void theSessionKeepsTheLatestKeysOnly() {
    SessionState s = Samples.state();
    for (int i = 0; i <= RequestKeys.WINDOW; i++) {
      s = s.apply(new IdempotencyKeyRecorded("key-" + i, FP, NOW));
    }
    assertEquals(RequestKeys.WINDOW, s.requestKeys().size());
    assertEquals(Use.NEW, RequestKeys.use(s, "key-0", FP), "the oldest is forgotten");
    assertEquals(Use.REPEAT, RequestKeys.use(s, "key-1", FP));
    assertEquals(Use.REPEAT, RequestKeys.use(s, "key-" + RequestKeys.WINDOW, FP));
  }

  @Test
  void theKeysSurviveASnapshot() {
    SessionState s = keyed();
    assertEquals(s.requestKeys(), SessionSnapshot.of(s).toState().requestKeys());
  }

  @Test
  void aFingerprintTellsOperationUserAndArgumentsApart() {
    assertEquals(FP, RequestKeys.fingerprint("memory.put", "ada", "k", "1"));
    assertNotEquals(FP, OTHER);
    assertNotEquals(FP, RequestKeys.fingerprint("memory.put", "bob", "k", "1"));
    assertNotEquals(FP, RequestKeys.fingerprint("tools.put", "ada", "k", "1"));
    assertTrue(FP.matches("[0-9a-f]{32}"), FP);
  }
}
