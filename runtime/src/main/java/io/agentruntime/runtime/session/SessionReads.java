package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.session.SessionCommand.*;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;

/**
 * Every read-only answer of a session, built from its state: the reads (view, memory, turns,
 * transcript, approvals), the answer of a keyed write seen before, and the small answers the
 * entity's writes give. Nothing here changes the state or the actor.
 */
final class SessionReads {

  private final String sessionId;
  private final String node;
  private final ReplySizes sizes;
  private final Materializer materializer;

  /**
   * @param node this node's cluster address, named in every reply (null: plain replies)
   */
  SessionReads(String sessionId, String node, ReplySizes sizes, Materializer materializer) {
    this.sessionId = sessionId;
    this.node = node;
    this.sizes = sizes;
    this.materializer = materializer;
  }

  /** Whether {@code cmd} only reads the session, answered by {@link #answer}. */
  static boolean covers(Asked cmd) {
    return cmd instanceof GetSession
        || cmd instanceof GetMemory
        || cmd instanceof GetTurn
        || cmd instanceof ListTurns
        || cmd instanceof GetTranscript
        || cmd instanceof ListApprovals;
  }

  /** The answer to a read ({@link #covers}) of the session as it is. */
  SessionReply answer(SessionState s, Asked cmd) {
    if (cmd instanceof GetSession) {
      return viewStream(s);
    } else if (cmd instanceof GetMemory c) {
      JsonNode value = c.key() == null ? null : s.memory().get(c.key());
      return value == null
          ? rejected(SessionRules.memoryKeyNotFound(c.key()))
          : new SessionReply.MemoryValue(c.key(), value);
    } else if (cmd instanceof GetTurn c) {
      return s.turn(c.turnId())
          .map(SessionReads::found)
          .orElse(rejected(TurnMachine.turnNotFound(c.turnId())));
    } else if (cmd instanceof ListTurns c) {
      return TurnList.page(
          s.turns(),
          c.afterTurnId(),
          c.limit(),
          t -> sizes.of(new SessionReply.TurnFound(t)),
          sizes.budget());
    } else if (cmd instanceof GetTranscript c) {
      return Transcript.page(
          s.transcript(),
          c.after(),
          Math.min(c.limit(), GetTranscript.MAX_LIMIT),
          e -> sizes.of(new SessionReply.TranscriptFound(List.of(e))),
          sizes.budget());
    } else if (cmd instanceof ListApprovals) {
      return new SessionReply.ApprovalList(s.pendingApprovals());
    }
    throw new IllegalArgumentException("not a read: " + cmd);
  }

  /**
   * The answer to a {@link Keyed} write whose key was used before: a refusal if it was used for
   * another request, else the first outcome (of the session as it is now). Empty: a new key, or no
   * key at all; the command is decided.
   */
  Optional<SessionReply> seenBefore(SessionState s, Asked asked) {
    if (asked instanceof Keyed k) {
      switch (RequestKeys.use(s, k.key(), k.fingerprint())) {
        case REUSED:
          return Optional.of(rejected(RequestKeys.reused()));
        case REPEAT:
          return Optional.of(repeated(s, k.command()));
        case NEW:
          break;
      }
    }
    return Optional.empty();
  }

  /** The answer to a keyed write repeated: the first outcome, of the session as it is now. */
  private SessionReply repeated(SessionState s, Asked cmd) {
    if (cmd instanceof CancelTurn c && c.turnId() == null) {
      // The active turn it cancelled: the newest turn cancelled, or told to end, since.
      List<Turn> turns = s.turns();
      for (int i = turns.size() - 1; i >= 0; i--) {
        Turn t = turns.get(i);
        if (t.status() == TurnStatus.CANCELLED || t.toldToEnd()) {
          return found(t);
        }
      }
      return new SessionReply.TurnFound(null);
    } else if (cmd instanceof CancelTurn c) {
      return s.turn(c.turnId())
          .map(SessionReads::found)
          .orElse(rejected(TurnMachine.turnNotFound(c.turnId())));
    } else if (cmd instanceof SubmitToolResult c) {
      return s.turn(c.turnId())
          .map(SessionReads::found)
          .orElse(rejected(TurnMachine.unknownToolCall(c.callId())));
    } else if (cmd instanceof DecideApproval c) {
      return s.approval(c.approvalId())
          .<SessionReply>map(SessionReply.ApprovalDecided::new)
          .orElseGet(() -> current(s));
    }
    return current(s);
  }

  static SessionReply rejected(Problem problem) {
    return new SessionReply.Rejected(problem);
  }

  static SessionReply found(Turn turn) {
    return new SessionReply.TurnFound(turn);
  }

  SessionReply hosted(SessionReply reply) {
    return node == null ? reply : new SessionReply.Hosted(node, reply);
  }

  /** What a write answers: small, whatever the session holds (decision 0033). */
  SessionReply current(SessionState s) {
    return new SessionReply.Current(SessionSummary.of(sessionId, s));
  }

  SessionReply created(SessionState s) {
    return new SessionReply.Created(SessionSummary.of(sessionId, s));
  }

  SessionReply erased() {
    return new SessionReply.Erased(sessionId);
  }

  /**
   * The whole view, streamed in parts that each fit a message between nodes. The parts are cut as
   * the asker takes them, from this state (immutable), off the session's thread; an asker that
   * never takes them lets the stream end after the stream-ref subscription timeout.
   */
  private SessionReply viewStream(SessionState s) {
    Iterable<ViewPart> parts = ViewPart.of(SessionView.of(sessionId, s), sizes::of, sizes.budget());
    return new SessionReply.ViewStream(
        Source.from(parts).runWith(StreamRefs.sourceRef(), materializer));
  }
}
