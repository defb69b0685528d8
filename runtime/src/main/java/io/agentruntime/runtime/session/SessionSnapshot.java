package io.agentruntime.runtime.session;

import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.session.TranscriptEntry.ToolCall;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A session's state as its snapshot stores it (decision 0050): the transcript and the turns, which
 * grow with the session, as columns (one array per field, so no field name, no date text is
 * repeated per entry), a turn's output that is its last reply's text stored once, and the rest of
 * the state as it is. Written by {@link SessionEntity}'s snapshot adapter; snapshots written before
 * it are whole {@link SessionState}s, which still load.
 */
public record SessionSnapshot(int format, SessionState rest, Entries transcript, Turns turns)
    implements CborSerializable {

  static final int FORMAT = 1;

  /**
   * The transcript, column by column; {@code turn} indexes {@link Turns}, -1 naming it in {@code
   * turnId} instead.
   */
  public record Entries(
      long[] seq,
      int[] turn,
      String[] turnId,
      String[] role,
      String[] content,
      List<List<ToolCall>> toolCalls,
      String[] toolCallId,
      String[] outcome) {}

  /**
   * The turns, column by column; {@code outputEntry} is the transcript entry holding the output, or
   * -1.
   */
  public record Turns(
      String[] id,
      TurnStatus[] status,
      int[] steps,
      String[] output,
      int[] outputEntry,
      TurnError[] error,
      Instants acceptedAt,
      Instants updatedAt,
      Instants deadline,
      Instants pausedAt) {}

  /**
   * Instants as seconds and nanoseconds of the epoch; null where {@code seconds} is {@link
   * Long#MIN_VALUE}.
   */
  public record Instants(long[] seconds, int[] nanos) {
    private static final long NONE = Long.MIN_VALUE;

    static Instants of(List<Turn> turns, java.util.function.Function<Turn, Instant> field) {
      long[] seconds = new long[turns.size()];
      int[] nanos = new int[turns.size()];
      int i = 0;
      for (Turn t : turns) {
        Instant at = field.apply(t);
        seconds[i] = at == null ? NONE : at.getEpochSecond();
        nanos[i] = at == null ? 0 : at.getNano();
        i++;
      }
      return new Instants(seconds, nanos);
    }

    Instant get(int i) {
      return seconds[i] == NONE ? null : Instant.ofEpochSecond(seconds[i], nanos[i]);
    }
  }

  public static SessionSnapshot of(SessionState s) {
    List<Turn> turnList = s.turns();
    List<TranscriptEntry> entries = s.transcript();
    Map<String, Integer> turnIndex = new HashMap<>();
    for (int i = 0; i < turnList.size(); i++) {
      turnIndex.putIfAbsent(turnList.get(i).id(), i);
    }
    int n = entries.size();
    long[] seq = new long[n];
    int[] turn = new int[n];
    String[] turnId = new String[n];
    String[] role = new String[n];
    String[] content = new String[n];
    List<List<ToolCall>> toolCalls = new ArrayList<>(n);
    String[] toolCallId = new String[n];
    String[] outcome = new String[n];
    int[] lastReply = new int[turnList.size()];
    java.util.Arrays.fill(lastReply, -1);
    int i = 0;
    for (TranscriptEntry e : entries) {
      seq[i] = e.seq();
      Integer t = e.turnId() == null ? null : turnIndex.get(e.turnId());
      turn[i] = t == null ? -1 : t;
      turnId[i] = t == null ? e.turnId() : null;
      role[i] = e.role();
      content[i] = e.content();
      toolCalls.add(e.toolCalls());
      toolCallId[i] = e.toolCallId();
      outcome[i] = e.outcome();
      if (t != null && "assistant".equals(e.role())) {
        lastReply[t] = i;
      }
      i++;
    }

    int m = turnList.size();
    String[] id = new String[m];
    TurnStatus[] status = new TurnStatus[m];
    int[] steps = new int[m];
    String[] output = new String[m];
    int[] outputEntry = new int[m];
    TurnError[] error = new TurnError[m];
    int j = 0;
    for (Turn t : turnList) {
      id[j] = t.id();
      status[j] = t.status();
      steps[j] = t.steps();
      boolean isLastReply =
          t.output() != null && lastReply[j] >= 0 && t.output().equals(content[lastReply[j]]);
      outputEntry[j] = isLastReply ? lastReply[j] : -1;
      output[j] = isLastReply ? null : t.output();
      error[j] = t.error();
      j++;
    }
    SessionState rest =
        new SessionState(
            s.owner(),
            s.createdWith(),
            s.agent(),
            s.memory(),
            s.tools(),
            s.permissions(),
            s.metadata(),
            s.closed(),
            s.createdAt(),
            s.updatedAt(),
            s.lastSeq(),
            List.of(),
            List.of(),
            s.turnIdsByIdempotencyKey(),
            s.usage(),
            s.pendingCalls(),
            s.approvals(),
            s.suspendedAt(),
            s.erased(),
            s.requestKeys());
    return new SessionSnapshot(
        FORMAT,
        rest,
        new Entries(seq, turn, turnId, role, content, toolCalls, toolCallId, outcome),
        new Turns(
            id,
            status,
            steps,
            output,
            outputEntry,
            error,
            Instants.of(turnList, Turn::acceptedAt),
            Instants.of(turnList, Turn::updatedAt),
            Instants.of(turnList, Turn::deadline),
            Instants.of(turnList, Turn::pausedAt)));
  }

  public SessionState toState() {
    if (format != FORMAT) {
      throw new IllegalStateException(
          "a snapshot of format " + format + ", this node reads format " + FORMAT);
    }
    Entries e = transcript;
    Turns t = turns;
    List<TranscriptEntry> entries = new ArrayList<>(e.seq().length);
    for (int i = 0; i < e.seq().length; i++) {
      String turnId = e.turn()[i] >= 0 ? t.id()[e.turn()[i]] : e.turnId()[i];
      entries.add(
          new TranscriptEntry(
              e.seq()[i],
              turnId,
              role(e.role()[i]),
              e.content()[i],
              e.toolCalls().get(i),
              e.toolCallId()[i],
              e.outcome()[i]));
    }
    List<Turn> turnList = new ArrayList<>(t.id().length);
    for (int j = 0; j < t.id().length; j++) {
      String output = t.outputEntry()[j] >= 0 ? e.content()[t.outputEntry()[j]] : t.output()[j];
      turnList.add(
          new Turn(
              t.id()[j],
              t.status()[j],
              t.steps()[j],
              output,
              t.error()[j],
              t.acceptedAt().get(j),
              t.updatedAt().get(j),
              t.deadline().get(j),
              t.pausedAt().get(j)));
    }
    SessionState s = rest;
    // A turn's client calls are not a column: they are its pending calls that wait for the client.
    for (PendingCall call : s.pendingCalls().values()) {
      if (call.stage() == PendingCall.Stage.AWAITING_CLIENT) {
        for (int j = 0; j < turnList.size(); j++) {
          Turn turn = turnList.get(j);
          if (turn.id().equals(call.turnId())) {
            List<ClientCall> calls = new ArrayList<>(turn.clientCalls());
            calls.add(ClientCall.of(call));
            turnList.set(
                j,
                new Turn(
                    turn.id(),
                    turn.status(),
                    turn.steps(),
                    turn.output(),
                    turn.error(),
                    turn.acceptedAt(),
                    turn.updatedAt(),
                    turn.deadline(),
                    turn.pausedAt(),
                    calls));
          }
        }
      }
    }
    return new SessionState(
        s.owner(),
        s.createdWith(),
        s.agent(),
        s.memory(),
        s.tools(),
        s.permissions(),
        s.metadata(),
        s.closed(),
        s.createdAt(),
        s.updatedAt(),
        s.lastSeq(),
        entries,
        turnList,
        s.turnIdsByIdempotencyKey(),
        s.usage(),
        s.pendingCalls(),
        s.approvals(),
        s.suspendedAt(),
        s.erased(),
        s.requestKeys());
  }

  // The columns are arrays, which records compare and print by identity: a snapshot is compared
  // and printed as the state it holds.
  @Override
  public boolean equals(Object other) {
    return other instanceof SessionSnapshot that
        && format == that.format
        && toState().equals(that.toState());
  }

  @Override
  public int hashCode() {
    return toState().hashCode();
  }

  @Override
  public String toString() {
    return "SessionSnapshot[format=" + format + ", " + toState() + "]";
  }

  /** The three roles as one string each, rather than one per entry read. */
  private static String role(String role) {
    return switch (role) {
      case "user" -> "user";
      case "assistant" -> "assistant";
      case "tool" -> "tool";
      default -> role;
    };
  }
}
