package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.JournalSequencer.Signal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What one stream sends for what it hears: the journal's order, each event once, gaps read back.
 */
class JournalSequencerTest {

  private static ActorSystem<Void> system;

  /** A journal of events 1..10 that counts its reads. */
  private final List<long[]> reads = new ArrayList<>();

  private final CurrentEventsByPersistenceIdQuery journal =
      new CurrentEventsByPersistenceIdQuery() {
        @Override
        public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(
            String persistenceId, long from, long to) {
          reads.add(new long[] {from, to});
          return Source.from(LongStream.rangeClosed(from, Math.min(to, 10)).boxed().toList())
              .map(
                  seq ->
                      new EventEnvelope(Sequence.apply(seq), persistenceId, seq, event(seq), 0L));
        }
      };

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "journal-sequencer-test");
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  @Test
  void theFirstHeadIsReplayedAtOnceAndPushedEventsAreNotRepeated() throws Exception {
    JournalSequencer s = new JournalSequencer(journal, "Session|t:s", 0);
    assertEquals(List.of(1L, 2L, 3L), seqs(s, new Signal.Head(3)));
    assertEquals(List.of(), seqs(s, pushed(2)), "sent already");
    assertEquals(List.of(4L), seqs(s, pushed(4)));
    assertEquals(List.of(), seqs(s, pushed(4)), "never twice");
  }

  /**
   * A follower the session took at head 3 (one ask with the view): nothing is read back at the
   * start; the next head is checked as any later one, and only what was really lost is read.
   */
  @Test
  void aStreamSubscribedWithItsViewReadsNothingBackUntilAPushIsLost() throws Exception {
    JournalSequencer s = JournalSequencer.subscribedAt(journal, "Session|t:s", 3, "req");
    assertEquals(List.of(4L), seqs(s, pushed(4)));
    assertEquals(List.of(), seqs(s, new Signal.Head(6)), "pushes 5 and 6 may still come");
    assertEquals(List.of(), reads.stream().map(r -> List.of(r[0], r[1])).toList());
    assertEquals(List.of(5L, 6L), seqs(s, new Signal.Head(6)), "they did not: read back");
    assertEquals(List.of(), seqs(s, pushed(6)), "never twice");
  }

  @Test
  void aJumpIsFilledFromTheJournalBeforeTheEvent() throws Exception {
    JournalSequencer s = new JournalSequencer(journal, "Session|t:s", 2);
    assertEquals(
        List.of(3L, 4L, 5L), seqs(s, pushed(5)), "pushed before the first head: the gap is read");
    assertEquals(List.of(), seqs(s, new Signal.Head(5)));
    assertEquals(List.of(6L, 7L, 8L), seqs(s, pushed(8)));
    assertEquals(
        List.of(List.of(3L, 4L), List.of(6L, 7L)),
        reads.stream().map(r -> List.of(r[0], r[1])).toList(),
        "only the gaps were read");
  }

  @Test
  void aLaterHeadIsReadOnlyWhenTheNextOneComesAndItsEventsStillLack() throws Exception {
    JournalSequencer s = new JournalSequencer(journal, "Session|t:s", 0);
    seqs(s, new Signal.Head(2));
    assertEquals(
        List.of(), seqs(s, new Signal.Head(4)), "events 3 and 4 may still be on their way");
    assertEquals(List.of(3L), seqs(s, pushed(3)));
    assertEquals(List.of(4L), seqs(s, new Signal.Head(4)), "4 never came: read back");
    int readsSoFar = reads.size();
    assertEquals(List.of(), seqs(s, new Signal.Head(4)));
    assertEquals(readsSoFar, reads.size(), "nothing missing, nothing read");
  }

  @Test
  void deltasPassThroughAndTheStreamEndsAtAHole() throws Exception {
    JournalSequencer s = new JournalSequencer(journal, "Session|t:s", 9);
    StreamItem delta = new StreamItem.Delta("turn_1", "hel");
    assertEquals(
        List.of(delta),
        s.next(new Signal.Pushed(delta))
            .runWith(Sink.seq(), system)
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS));
    assertTrue(s.inOrder(delta));
    assertTrue(s.inOrder(new StreamItem.Journaled(10, event(10))));
    assertFalse(
        s.inOrder(new StreamItem.Journaled(12, event(12))),
        "11 was not sent: end rather than skip it");
  }

  private List<Long> seqs(JournalSequencer s, Signal signal) throws Exception {
    List<Long> sent = new ArrayList<>();
    for (StreamItem item :
        s.next(signal).runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS)) {
      assertTrue(s.inOrder(item), "out of order: " + item);
      sent.add(((StreamItem.Journaled) item).seq());
    }
    return sent;
  }

  private static Signal pushed(long seq) {
    return new Signal.Pushed(new StreamItem.Journaled(seq, event(seq)));
  }

  private static SessionEvent event(long seq) {
    return new SessionEvent.TurnStarted("turn_" + seq, Instant.EPOCH);
  }
}
