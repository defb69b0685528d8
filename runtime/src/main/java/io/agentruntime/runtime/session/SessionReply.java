package io.agentruntime.runtime.session;

import io.agentruntime.runtime.CborSerializable;
import java.util.List;

/** The answers of a session entity. */
public sealed interface SessionReply extends CborSerializable {

  /** The session was created by this command. */
  record Created(SessionView session) implements SessionReply {}

  /** The session as it is after the command. */
  record Current(SessionView session) implements SessionReply {}

  /** The session was erased: nothing of it is kept but a tombstone under its id. */
  record Erased(String id) implements SessionReply {}

  /** A turn was opened, or {@code duplicate}: an earlier request with the same key opened it. */
  record TurnAccepted(Turn turn, boolean duplicate) implements SessionReply {}

  record TurnFound(Turn turn) implements SessionReply {}

  /** {@code nextAfter} is the id to continue after, or null on the last page. */
  record TurnList(List<Turn> turns, String nextAfter) implements SessionReply {
    public TurnList {
      turns = List.copyOf(turns);
    }
  }

  record TranscriptFound(List<TranscriptEntry> messages) implements SessionReply {
    public TranscriptFound {
      messages = List.copyOf(messages);
    }
  }

  record ApprovalList(List<Approval> approvals) implements SessionReply {
    public ApprovalList {
      approvals = List.copyOf(approvals);
    }
  }

  record ApprovalDecided(Approval approval) implements SessionReply {}

  record Subscribed(long lastSeq) implements SessionReply {}

  record Rejected(Problem problem) implements SessionReply {}
}
