package io.agentruntime.runtime.session;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
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

  /**
   * Any of the other replies, from the entity on the node {@code node} ({@code host:port} of its
   * cluster address). {@link Sessions#ask} unwraps it.
   */
  record Hosted(
      String node,
      @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
          @JsonSubTypes({
            @JsonSubTypes.Type(value = Created.class, name = "created"),
            @JsonSubTypes.Type(value = Current.class, name = "current"),
            @JsonSubTypes.Type(value = TurnAccepted.class, name = "turn_accepted"),
            @JsonSubTypes.Type(value = TurnFound.class, name = "turn_found"),
            @JsonSubTypes.Type(value = TurnList.class, name = "turn_list"),
            @JsonSubTypes.Type(value = TranscriptFound.class, name = "transcript_found"),
            @JsonSubTypes.Type(value = ApprovalList.class, name = "approval_list"),
            @JsonSubTypes.Type(value = ApprovalDecided.class, name = "approval_decided"),
            @JsonSubTypes.Type(value = Subscribed.class, name = "subscribed"),
            @JsonSubTypes.Type(value = Erased.class, name = "erased"),
            @JsonSubTypes.Type(value = Rejected.class, name = "rejected")
          })
          SessionReply reply)
      implements SessionReply {}
}
