package io.agentruntime.runtime.session;

import java.util.AbstractList;
import java.util.Iterator;
import java.util.List;
import java.util.function.ToIntFunction;
import org.pcollections.PVector;
import org.pcollections.TreePVector;

/**
 * A session's transcript, immutable: adding an entry costs O(log n) and shares the rest with the
 * transcript it came from (decision 0050). It counts its {@code in_doubt} placeholders, so that a
 * call's outcome looks for one to replace only when there is one.
 */
final class Transcript extends AbstractList<TranscriptEntry> {

  private static final Transcript EMPTY = new Transcript(TreePVector.empty(), 0, 0);
  static final String IN_DOUBT = "in_doubt";

  private final PVector<TranscriptEntry> entries;
  private final int inDoubt;

  /**
   * What the entries weigh as {@link SessionSize#of(TranscriptEntry)} counts, kept as they come.
   */
  private final long bytes;

  private Transcript(PVector<TranscriptEntry> entries, int inDoubt, long bytes) {
    this.entries = entries;
    this.inDoubt = inDoubt;
    this.bytes = bytes;
  }

  static Transcript empty() {
    return EMPTY;
  }

  static Transcript of(List<TranscriptEntry> entries) {
    if (entries instanceof Transcript transcript) {
      return transcript;
    }
    if (entries.isEmpty()) {
      return EMPTY;
    }
    int inDoubt = (int) entries.stream().filter(Transcript::placeholder).count();
    long bytes = 0;
    for (TranscriptEntry entry : entries) {
      bytes += SessionSize.of(entry);
    }
    return new Transcript(TreePVector.from(entries), inDoubt, bytes);
  }

  /** What the entries weigh, as {@link SessionSize#of(TranscriptEntry)} counts. */
  long bytes() {
    return bytes;
  }

  @Override
  public TranscriptEntry get(int index) {
    return entries.get(index);
  }

  @Override
  public int size() {
    return entries.size();
  }

  @Override
  public Iterator<TranscriptEntry> iterator() {
    return entries.iterator();
  }

  Transcript plus(TranscriptEntry entry) {
    return new Transcript(
        entries.plus(entry),
        placeholder(entry) ? inDoubt + 1 : inDoubt,
        bytes + SessionSize.of(entry));
  }

  /** Without the in-doubt placeholder of this call, if it has one. */
  Transcript withoutPlaceholder(String turnId, String toolCallId) {
    if (inDoubt == 0) {
      return this;
    }
    for (int i = entries.size() - 1; i >= 0; i--) {
      TranscriptEntry e = entries.get(i);
      if (placeholder(e) && toolCallId.equals(e.toolCallId()) && turnId.equals(e.turnId())) {
        return new Transcript(entries.minus(i), inDoubt - 1, bytes - SessionSize.of(e))
            .withoutPlaceholder(turnId, toolCallId);
      }
    }
    return this;
  }

  /**
   * At most {@code limit} entries of {@code transcript} (in seq order) after seq {@code after},
   * fewer when more would take over {@code budget} bytes as {@code size} measures one (a page holds
   * at least one entry); replies {@code TranscriptFound}, or {@code Rejected} for a bad limit.
   */
  static SessionReply page(
      List<TranscriptEntry> transcript,
      long after,
      int limit,
      ToIntFunction<TranscriptEntry> size,
      int budget) {
    if (limit < 1) {
      return new SessionReply.Rejected(Problem.invalid("limit", "limit must be at least 1"));
    }
    if (after < 0) {
      return new SessionReply.Rejected(Problem.invalid("after", "after must not be negative"));
    }
    int from = firstAfter(transcript, after);
    int to = from;
    long bytes = 0;
    while (to < transcript.size() && to - from < limit) {
      int next = size.applyAsInt(transcript.get(to));
      if (to > from && bytes + next > budget) {
        break;
      }
      bytes += next;
      to++;
    }
    Long nextAfter = to < transcript.size() && to > from ? transcript.get(to - 1).seq() : null;
    return new SessionReply.TranscriptFound(transcript.subList(from, to), nextAfter);
  }

  /** The index of the first entry whose seq is above {@code after} (seqs only grow). */
  private static int firstAfter(List<TranscriptEntry> transcript, long after) {
    int low = 0;
    int high = transcript.size();
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (transcript.get(mid).seq() <= after) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  private static boolean placeholder(TranscriptEntry e) {
    return IN_DOUBT.equals(e.outcome());
  }
}
