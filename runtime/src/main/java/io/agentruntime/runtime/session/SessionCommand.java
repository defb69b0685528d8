package io.agentruntime.runtime.session;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.tools.ToolConnection;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the API asks of a session. Every command names its caller, so that the entity alone decides
 * who may see the session, and answers with a {@link SessionReply}; a refused command answers
 * {@link SessionReply.Rejected} and changes nothing. What the session tells itself is an {@link
 * InternalCommand}, which nothing outside this package can make.
 */
public sealed interface SessionCommand extends CborSerializable
    permits SessionCommand.Asked,
        SessionCommand.Expiring,
        SessionCommand.Unsubscribe,
        SessionCommand.Wake,
        InternalCommand {

  /** A command whose caller waits for its answer: every one of them is answered, once. */
  sealed interface Asked extends SessionCommand {
    Caller caller();

    ActorRef<SessionReply> replyTo();
  }

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
      implements Asked {}

  /** Replies {@code ViewStream}: the whole view, in parts. */
  record GetSession(Caller caller, ActorRef<SessionReply> replyTo) implements Asked {}

  /** Replies {@code MemoryValue}, or {@code Rejected} (not found) when the key is absent. */
  record GetMemory(Caller caller, String key, ActorRef<SessionReply> replyTo) implements Asked {}

  /** Replies {@code Current} (closing a closed session is a no-op). */
  record CloseSession(Caller caller, ActorRef<SessionReply> replyTo) implements Asked {}

  /**
   * Operator only. Replies {@code Current}: the session accepts no new message and starts no model
   * or tool call until resumed. Suspending a suspended session is a no-op.
   */
  record SuspendSession(Caller caller, String reason, ActorRef<SessionReply> replyTo)
      implements Asked {}

  /**
   * Operator only. Replies {@code Current}; the work goes on where it stood. A no-op unless
   * suspended.
   */
  record ResumeSession(Caller caller, ActorRef<SessionReply> replyTo) implements Asked {}

  /**
   * Operator only. Replies {@code Current}: the running turn is cancelled and the session closed.
   */
  record TerminateSession(Caller caller, ActorRef<SessionReply> replyTo) implements Asked {}

  /**
   * Operator only. Replies {@code Erased} once the session's events (but the tombstone) and
   * snapshots are deleted and it left the directory; its id is refused from then on. Erasing an
   * erased session does the deletion again.
   */
  record EraseSession(Caller caller, ActorRef<SessionReply> replyTo) implements Asked {}

  /** Replies {@code Current}. */
  record WriteMemory(Caller caller, String key, JsonNode value, ActorRef<SessionReply> replyTo)
      implements Asked {}

  /** Replies {@code Current}, or {@code Rejected} (not found) when the key is absent. */
  record DeleteMemory(Caller caller, String key, ActorRef<SessionReply> replyTo) implements Asked {}

  /** Replies {@code Current}. Connects a tool or replaces the one of the same name. */
  record ConnectTool(Caller caller, ToolConnection tool, ActorRef<SessionReply> replyTo)
      implements Asked {}

  /** Replies {@code Current}, or {@code Rejected} (not found) when no such tool is connected. */
  record DisconnectTool(Caller caller, String name, ActorRef<SessionReply> replyTo)
      implements Asked {}

  /**
   * Replies {@code Current}. Replaces the agent (its instructions, model, limits and profile) and
   * the metadata, each only when not null; a turn under way takes the new agent at its next model
   * call.
   */
  record UpdateSession(
      Caller caller,
      AgentDefinition agent,
      Map<String, String> metadata,
      ActorRef<SessionReply> replyTo)
      implements Asked {}

  /** Replies {@code Current}. Replaces the whole policy. */
  record ChangePermissions(
      Caller caller, PermissionPolicy permissions, ActorRef<SessionReply> replyTo)
      implements Asked {}

  /**
   * Replies {@code TurnAccepted} with the new turn, or with the earlier turn when the idempotency
   * key (nullable) was seen before.
   *
   * <p>A turn in one request: with {@code answerByMillis} (epoch millis; 0 for none) the reply
   * waits until the turn settles (ends, or pauses for an approval), and is sent as the turn then
   * stands at that time at the latest. {@code turnId} (nullable) names the new turn, so that an
   * asker who heard nothing (the session moved, say) can still look it up; a message naming a turn
   * that exists already is answered with that turn, as a duplicate. {@code source} (nullable) marks
   * where the message came from other than a client ({@code schedule}).
   */
  record SendUserMessage(
      Caller caller,
      String content,
      OnBusy onBusy,
      String idempotencyKey,
      String turnId,
      long answerByMillis,
      ActorRef<SessionReply> replyTo,
      String source)
      implements Asked {

    /** A client's message (no source). */
    public SendUserMessage(
        Caller caller,
        String content,
        OnBusy onBusy,
        String idempotencyKey,
        String turnId,
        long answerByMillis,
        ActorRef<SessionReply> replyTo) {
      this(caller, content, onBusy, idempotencyKey, turnId, answerByMillis, replyTo, null);
    }

    /** Replies as soon as the message is accepted; the session names the turn. */
    public SendUserMessage(
        Caller caller,
        String content,
        OnBusy onBusy,
        String idempotencyKey,
        ActorRef<SessionReply> replyTo) {
      this(caller, content, onBusy, idempotencyKey, null, 0, replyTo);
    }
  }

  /** Replies {@code TurnFound}. */
  record GetTurn(Caller caller, String turnId, ActorRef<SessionReply> replyTo) implements Asked {}

  /** Replies {@code TurnList}: the turns newest first, {@code limit} of them after the cursor. */
  record ListTurns(Caller caller, int limit, String afterTurnId, ActorRef<SessionReply> replyTo)
      implements Asked {}

  /**
   * Replies {@code TranscriptFound}: at most {@code limit} messages after sequence number {@code
   * after} (0: from the start), fewer when more would not fit a page's bytes.
   */
  record GetTranscript(Caller caller, long after, int limit, ActorRef<SessionReply> replyTo)
      implements Asked {

    /** The first page, of at most {@link #MAX_LIMIT} messages. */
    public GetTranscript(Caller caller, ActorRef<SessionReply> replyTo) {
      this(caller, 0, MAX_LIMIT, replyTo);
    }

    /** The most messages one page holds. */
    public static final int MAX_LIMIT = 1000;
  }

  /**
   * Replies {@code TurnFound} with the cancelled turn; an ended turn is a conflict. A null {@code
   * turnId} cancels the active turn, whichever it is: with none active it replies {@code TurnFound}
   * with a null turn and changes nothing.
   */
  record CancelTurn(Caller caller, String turnId, ActorRef<SessionReply> replyTo)
      implements Asked {}

  /**
   * The client's outcome of function call {@code callId} of turn {@code turnId}, which it ran
   * (decision 0023): {@code success} with {@code output} (a JSON string or content parts; null is
   * JSON null), or a failure with {@code error} (null: a default message). Replies {@code
   * TurnFound} with the turn; a call that does not wait for the client is refused (INVALID, {@code
   * unknown_tool_call}, "Unknown pending tool call: &lt;callId&gt;").
   */
  record SubmitToolResult(
      Caller caller,
      String turnId,
      String callId,
      boolean success,
      JsonNode output,
      String error,
      ActorRef<SessionReply> replyTo)
      implements Asked {}

  /** Replies {@code ApprovalList}: the approvals waiting for a decision. */
  record ListApprovals(Caller caller, ActorRef<SessionReply> replyTo) implements Asked {}

  /**
   * Replies {@code ApprovalDecided}. {@code decision} is approve or deny for a policy approval,
   * retry, fail or result (with {@code result}) for an in-doubt call. Needs the approver role. No
   * result is null: a JSON {@code null} (which is what a null reads back as from the wire) is taken
   * for none, so that the decision means the same on every node.
   */
  record DecideApproval(
      Caller caller,
      String approvalId,
      String decision,
      String comment,
      JsonNode result,
      ActorRef<SessionReply> replyTo)
      implements Asked {
    public DecideApproval {
      result = result == null || result.isNull() || result.isMissingNode() ? null : result;
    }
  }

  /**
   * Replies {@code TurnFound} once the turn has settled (ended, or paused for an approval), at once
   * if it has, or with the turn as it stands at {@code answerByMillis} (epoch millis; 0: after the
   * session's longest wait). Refused ({@code too_many_waiters}) when {@code max-waiters} askers
   * wait for turns of the session already. Nothing is kept across a move: the asker's own timeout
   * ends the wait.
   */
  record AwaitTurn(
      Caller caller, String turnId, long answerByMillis, ActorRef<SessionReply> replyTo)
      implements Asked {

    /** Waits up to the session's longest wait. */
    public AwaitTurn(Caller caller, String turnId, ActorRef<SessionReply> replyTo) {
      this(caller, turnId, 0, replyTo);
    }
  }

  /**
   * Replies {@code Subscribed} with the last sequence number, then sends {@code follower} every
   * event journaled from now on and the model's text as it streams. Idempotent: followers send it
   * again now and then, which also finds the session again after it moved or restarted.
   */
  record Subscribe(Caller caller, ActorRef<StreamItem> follower, ActorRef<SessionReply> replyTo)
      implements Asked {}

  /**
   * Replies {@code Glanced}: the session's view without its memory and the tools discovered on its
   * MCP servers, in one message (no stream of parts). With a {@code follower} (may be null), also
   * subscribes it as {@link Subscribe} does, from the view's {@code lastSeq}: what a client that
   * opens an event stream needs, in one ask.
   */
  record Glance(Caller caller, ActorRef<StreamItem> follower, ActorRef<SessionReply> replyTo)
      implements Asked {}

  /**
   * {@code command}, a write sent with the client's idempotency key {@code key} (decision 0034).
   * The first time, it does what {@code command} does, and the key is journaled with its events.
   * Again with the same key and {@code fingerprint} (of what was asked, see {@link RequestKeys}),
   * it answers as {@code command} would of the session as it is now, and changes nothing; with the
   * same key and another fingerprint, it is refused (conflict, {@code idempotency_key_reused}).
   * Replies as {@code command} does.
   */
  record Keyed(
      @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "class") Asked command,
      String key,
      String fingerprint)
      implements Asked {

    @Override
    public Caller caller() {
      return command.caller();
    }

    @Override
    public ActorRef<SessionReply> replyTo() {
      return command.replyTo();
    }
  }

  /**
   * {@code command}, sent by an asker that gives up at {@code notAfterMillis} (epoch millis): if
   * the session gets to it later (it was recovering, or its shard restarting, while the journal was
   * away) it is dropped unanswered and changes nothing, since the asker has already told its client
   * that nothing was accepted. Otherwise it replies as {@code command} does. Only ever on the wire,
   * never journaled, hence the class name as its type.
   */
  record Expiring(
      @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "class") SessionCommand command,
      long notAfterMillis)
      implements SessionCommand {}

  /** Stops sending to {@code follower}; no reply. */
  record Unsubscribe(ActorRef<StreamItem> follower) implements SessionCommand {}

  /**
   * Sent by the session's schedules shortly before a run is due (decision 0048): the session
   * recovers now, if it was passivated, and stays in memory until {@code untilMillis} (epoch
   * millis), so that the firing itself finds it awake and costs one journal write. No reply;
   * journals nothing; a session that does not exist ignores it.
   */
  record Wake(long untilMillis) implements SessionCommand {}
}
