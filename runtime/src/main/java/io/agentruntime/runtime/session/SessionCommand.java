package io.agentruntime.runtime.session;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the API asks of a session. Every command names its caller, so that the entity alone
 * decides who may see the session, and answers with a {@link SessionReply}; a refused command
 * answers {@link SessionReply.Rejected} and changes nothing.
 */
public sealed interface SessionCommand extends CborSerializable {

  /** How a create treats a session that already exists under the id. */
  enum CreateMode {
    /** POST: an existing session is a conflict. */
    CREATE_NEW,
    /** PUT: an existing session with the same owner and spec is answered as it is. */
    CREATE_OR_MATCH
  }

  /** Replies {@code Created}, {@code Current} (PUT of an identical session) or {@code Rejected}. */
  record CreateSession(
      Caller caller, SessionSpec spec, CreateMode mode, ActorRef<SessionReply> replyTo)
      implements SessionCommand {}

  /** Replies {@code Current}. */
  record GetSession(Caller caller, ActorRef<SessionReply> replyTo) implements SessionCommand {}

  /** Replies {@code Current} (closing a closed session is a no-op). */
  record CloseSession(Caller caller, ActorRef<SessionReply> replyTo) implements SessionCommand {}

  /** Replies {@code Current}. */
  record WriteMemory(Caller caller, String key, JsonNode value, ActorRef<SessionReply> replyTo)
      implements SessionCommand {}

  /** Replies {@code Current}, or {@code Rejected} (not found) when the key is absent. */
  record DeleteMemory(Caller caller, String key, ActorRef<SessionReply> replyTo)
      implements SessionCommand {}

  /** Replies {@code Current}. Connects a tool or replaces the one of the same name. */
  record ConnectTool(Caller caller, ToolConnection tool, ActorRef<SessionReply> replyTo)
      implements SessionCommand {}

  /** Replies {@code Current}, or {@code Rejected} (not found) when no such tool is connected. */
  record DisconnectTool(Caller caller, String name, ActorRef<SessionReply> replyTo)
      implements SessionCommand {}

  /** Replies {@code Current}. Replaces the whole policy. */
  record ChangePermissions(
      Caller caller, PermissionPolicy permissions, ActorRef<SessionReply> replyTo)
      implements SessionCommand {}

  /**
   * Replies {@code TurnAccepted} with the new turn, or with the earlier turn when the
   * idempotency key (nullable) was seen before.
   */
  record SendUserMessage(
      Caller caller,
      String content,
      OnBusy onBusy,
      String idempotencyKey,
      ActorRef<SessionReply> replyTo)
      implements SessionCommand {}

  /** Replies {@code TurnFound}. */
  record GetTurn(Caller caller, String turnId, ActorRef<SessionReply> replyTo)
      implements SessionCommand {}

  /** Replies {@code TurnList}: the turns newest first, {@code limit} of them after the cursor. */
  record ListTurns(Caller caller, int limit, String afterTurnId, ActorRef<SessionReply> replyTo)
      implements SessionCommand {}

  /** Replies {@code TranscriptFound}. */
  record GetTranscript(Caller caller, ActorRef<SessionReply> replyTo) implements SessionCommand {}

  /**
   * Internal: a directory write the reply waited for has ended (well or not). Never leaves the
   * entity, but is a {@code CborSerializable} like every command, so the nested reply names its type.
   */
  record DirectoryWritten(
      @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
          @JsonSubTypes({
            @JsonSubTypes.Type(value = SessionReply.Created.class, name = "created"),
            @JsonSubTypes.Type(value = SessionReply.Current.class, name = "current"),
            @JsonSubTypes.Type(value = SessionReply.TurnAccepted.class, name = "turn_accepted"),
            @JsonSubTypes.Type(value = SessionReply.TurnFound.class, name = "turn_found"),
            @JsonSubTypes.Type(value = SessionReply.TurnList.class, name = "turn_list"),
            @JsonSubTypes.Type(value = SessionReply.TranscriptFound.class, name = "transcript_found"),
            @JsonSubTypes.Type(value = SessionReply.Rejected.class, name = "rejected")
          })
          SessionReply reply,
      ActorRef<SessionReply> replyTo)
      implements SessionCommand {}
}
