package io.agentruntime.runtime.session;

import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Turns what one stream hears (events the session pushes, deltas, and the last event id each
 * subscription reports) into the session's events in journal order, each exactly once: what was
 * sent already is dropped, and whatever is missing before an event (the replay at the start, or
 * items the live buffer dropped) is read from the journal first. One per stream; used by one stream
 * stage at a time, so it needs no locking.
 */
final class JournalSequencer {

  /** What a stream hears. */
  sealed interface Signal {
    /** A subscription answered: the session has journaled up to {@code lastSeq}. */
    record Head(long lastSeq) implements Signal {}

    /** The session pushed an item. */
    record Pushed(StreamItem item) implements Signal {}
  }

  private static final Logger log = LoggerFactory.getLogger(JournalSequencer.class);

  private final CurrentEventsByPersistenceIdQuery journal;
  private final String requestId;
  private final String persistenceId;

  /** The sequence number to hand out next (read or pushed). */
  private long next;

  /** The last sequence number that actually went out. */
  private long lastSent;

  /** Whether the first subscription answered (its head is read back at once: the replay). */
  private boolean replayed;

  /** The last head heard after that, checked when the next one comes. */
  private long lastHead;

  JournalSequencer(CurrentEventsByPersistenceIdQuery journal, String persistenceId, long after) {
    this(journal, persistenceId, after, "none");
  }

  /**
   * @param requestId the id of the request this stream answers, for its log lines
   */
  JournalSequencer(
      CurrentEventsByPersistenceIdQuery journal,
      String persistenceId,
      long after,
      String requestId) {
    this.requestId = requestId;
    this.journal = journal;
    this.persistenceId = persistenceId;
    this.next = after + 1;
    this.lastSent = after;
  }

  /**
   * A sequencer for a stream whose follower the session took when it had journaled up to {@code
   * head}: nothing to read back at the start, and the next head is checked as any later one.
   */
  static JournalSequencer subscribedAt(
      CurrentEventsByPersistenceIdQuery journal,
      String persistenceId,
      long head,
      String requestId) {
    JournalSequencer sequencer = new JournalSequencer(journal, persistenceId, head, requestId);
    sequencer.replayed = true;
    sequencer.lastHead = head;
    return sequencer;
  }

  /**
   * What goes out for {@code signal}, in order: events read back from the journal, then the item. A
   * later head is acted on only when the next one comes: by then the session's own push of those
   * events has long arrived, unless it was lost, so the journal is read only for what was really
   * missed, and the text streamed before an event never lands after it.
   */
  Source<StreamItem, NotUsed> next(Signal signal) {
    if (signal instanceof Signal.Head head) {
      long due = replayed ? lastHead : head.lastSeq();
      replayed = true;
      lastHead = head.lastSeq();
      return due >= next ? readUpTo(due) : Source.empty();
    }
    StreamItem item = ((Signal.Pushed) signal).item();
    if (!(item instanceof StreamItem.Journaled journaled)) {
      return Source.single(item);
    }
    long seq = journaled.seq();
    if (seq < next) {
      return Source.empty();
    }
    if (seq == next) {
      // The usual case, as one plain single: the stream runs it in place, where a concat of an
      // empty and a single would be materialized as a substream of its own for every event.
      next = seq + 1;
      return Source.single(item);
    }
    Source<StreamItem, NotUsed> missing = readUpTo(seq - 1);
    next = seq + 1;
    return missing.concat(Source.single(item));
  }

  /**
   * False at the first event that does not follow the last one sent (the journal returned less than
   * it holds): the stream then ends, and the client reconnects from the last id it saw rather than
   * miss an event.
   */
  boolean inOrder(StreamItem item) {
    if (!(item instanceof StreamItem.Journaled journaled)) {
      return true;
    }
    if (journaled.seq() != lastSent + 1) {
      // The request's id in the logging context, as the edge puts it there for its own lines.
      MDC.put("requestId", requestId);
      try {
        log.warn(
            "Event stream of {} expected event {} but got {}; ending it so that the client resumes from {}",
            persistenceId,
            lastSent + 1,
            journaled.seq(),
            lastSent);
      } finally {
        MDC.remove("requestId");
      }
      return false;
    }
    lastSent = journaled.seq();
    return true;
  }

  private Source<StreamItem, NotUsed> readUpTo(long to) {
    long from = next;
    next = to + 1;
    return journal
        .currentEventsByPersistenceId(persistenceId, from, to)
        .filter(envelope -> envelope.event() instanceof SessionEvent)
        .<StreamItem>map(
            envelope ->
                new StreamItem.Journaled(envelope.sequenceNr(), (SessionEvent) envelope.event()));
  }
}
