package io.agentruntime.runtime.session;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.CborSerializable;
import java.util.List;
import org.apache.pekko.stream.SourceRef;

/**
 * The answers of a session entity. Each one may cross the cluster, so each is bounded in bytes by
 * the session's limits to fit Artery's frame (decision 0033): writes answer a {@link
 * SessionSummary}, the whole view streams in {@link ViewPart}s, the transcript and the turns come
 * in pages.
 */
public sealed interface SessionReply extends CborSerializable {

  /** The session was created by this command. */
  record Created(SessionSummary session) implements SessionReply {}

  /** The session as it stands after the command (a write, or a create that matched). */
  record Current(SessionSummary session) implements SessionReply {}

  /**
   * The session's whole view, as a stream of parts from one state of the session: the head first
   * ({@link ViewPart#assemble} makes the view of them).
   */
  record ViewStream(SourceRef<ViewPart> parts) implements SessionReply {}

  /** One memory value. */
  record MemoryValue(String key, JsonNode value) implements SessionReply {}

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

  /**
   * A page of the transcript in order; {@code nextAfter} is the sequence number to continue after,
   * or null on the last page.
   */
  record TranscriptFound(List<TranscriptEntry> messages, Long nextAfter) implements SessionReply {
    public TranscriptFound {
      messages = List.copyOf(messages);
    }

    /** The last page. */
    public TranscriptFound(List<TranscriptEntry> messages) {
      this(messages, null);
    }
  }

  record ApprovalList(List<Approval> approvals) implements SessionReply {
    public ApprovalList {
      approvals = List.copyOf(approvals);
    }
  }

  record ApprovalDecided(Approval approval) implements SessionReply {}

  record Subscribed(long lastSeq) implements SessionReply {}

  /**
   * The session at a glance ({@link SessionCommand.Glance}); its {@code lastSeq} is where a
   * follower subscribed with it was subscribed.
   */
  record Glanced(SessionView view) implements SessionReply {}

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
            @JsonSubTypes.Type(value = ViewStream.class, name = "view_stream"),
            @JsonSubTypes.Type(value = MemoryValue.class, name = "memory_value"),
            @JsonSubTypes.Type(value = TurnAccepted.class, name = "turn_accepted"),
            @JsonSubTypes.Type(value = TurnFound.class, name = "turn_found"),
            @JsonSubTypes.Type(value = TurnList.class, name = "turn_list"),
            @JsonSubTypes.Type(value = TranscriptFound.class, name = "transcript_found"),
            @JsonSubTypes.Type(value = ApprovalList.class, name = "approval_list"),
            @JsonSubTypes.Type(value = ApprovalDecided.class, name = "approval_decided"),
            @JsonSubTypes.Type(value = Subscribed.class, name = "subscribed"),
            @JsonSubTypes.Type(value = Glanced.class, name = "glanced"),
            @JsonSubTypes.Type(value = Erased.class, name = "erased"),
            @JsonSubTypes.Type(value = Rejected.class, name = "rejected")
          })
          SessionReply reply)
      implements SessionReply {}
}
