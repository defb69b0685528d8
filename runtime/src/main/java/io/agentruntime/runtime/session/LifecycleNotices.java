package io.agentruntime.runtime.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The lifecycle changes webhooks announce, read off a session's state (pure; decision 0027).
 *
 * <p>A session's {@link Mark} is where its lifecycle stands: created (no turn yet), in progress (a
 * turn runs), action required (the running turn waits for a human or for the client's result of a
 * function call), idle (the last turn ended and none is queued) or failed (closed or terminated: it
 * can take no more input). A turn that fails leaves the session idle, as in the Agents API. A
 * suspension changes no mark (an operator's hold is not a lifecycle event); a turn queued behind
 * one that ended is no mark either, so a session that goes straight on to its next turn announces
 * no idle in between.
 *
 * <p>Each mark names what it is about (the turn, the pause), and the event id is a digest of the
 * session and that: announced again after a crash, the same change has the same id, and the outbox
 * keeps it once.
 */
public final class LifecycleNotices {

  /** Kind of action an approval of an MCP tool waits for, as the Agents API names it. */
  public static final String MCP_APPROVAL = "mcp_approval_request";

  /** A function call the client executes: the turn waits for its {@code tool_result}. */
  public static final String FUNCTION_CALL = "function_call";

  /** Any other approval (our HTTP and built-in tools, in-doubt calls): an extension type. */
  public static final String TOOL_APPROVAL = "tool_approval_request";

  /** Where a session's lifecycle stands; {@code about} tells one occurrence from another. */
  public record Mark(String type, String about) {}

  private LifecycleNotices() {}

  /** The session's mark now, or empty while it has none of its own (not created, between turns). */
  public static Optional<Mark> mark(SessionState s) {
    if (!s.exists()) {
      return Optional.empty();
    } else if (s.closed()) {
      return Optional.of(new Mark(LifecycleNotice.FAILED, ""));
    }
    Optional<Turn> active = s.activeTurn();
    if (active.isPresent()) {
      Turn t = active.get();
      return Optional.of(
          t.status() == TurnStatus.AWAITING_APPROVAL || t.status() == TurnStatus.WAITING
              ? new Mark(LifecycleNotice.ACTION_REQUIRED, t.id() + "@" + millis(t.pausedAt()))
              : new Mark(LifecycleNotice.IN_PROGRESS, t.id()));
    } else if (s.nextQueuedTurn().isPresent()) {
      return Optional.empty();
    } else if (s.turns().isEmpty()) {
      return Optional.of(new Mark(LifecycleNotice.CREATED, ""));
    }
    return Optional.of(new Mark(LifecycleNotice.IDLE, s.turns().get(s.turns().size() - 1).id()));
  }

  /**
   * What a persist of {@code events} announces, given the mark announced before ({@code last}, null
   * if none): {@code created} when the session was made, then the new mark if it changed.
   */
  public static List<LifecycleNotice> after(
      String entityId,
      String sessionId,
      Mark last,
      SessionState next,
      List<SessionEvent> events,
      Instant now) {
    List<LifecycleNotice> notices = new ArrayList<>();
    if (events.stream().anyMatch(e -> e instanceof SessionEvent.SessionCreated)) {
      notices.add(created(entityId, sessionId, now));
    }
    mark(next)
        .filter(m -> !m.equals(last) && !m.type().equals(LifecycleNotice.CREATED))
        .map(m -> resumed(last, m))
        .ifPresent(m -> notices.add(notice(entityId, sessionId, m, next, now)));
    return notices;
  }

  /**
   * A turn that runs again after it waited (for a human or the client's result) is another
   * occurrence of {@code in_progress} than its start: it is about the wait it left, so it has an id
   * of its own and the outbox does not take it for the start it already holds. The start keeps the
   * turn's id as before.
   */
  static Mark resumed(Mark last, Mark now) {
    boolean leftItsWait =
        last != null
            && last.type().equals(LifecycleNotice.ACTION_REQUIRED)
            && now.type().equals(LifecycleNotice.IN_PROGRESS)
            && last.about().startsWith(now.about() + "@");
    return leftItsWait ? new Mark(LifecycleNotice.IN_PROGRESS, last.about() + "/resumed") : now;
  }

  /**
   * What a recovered session announces again, in case a crash cut it off before the outbox took it:
   * its creation, the start of its last turn, and its mark now (each at the time the state knows
   * for it). Announced before, they are the same events and the outbox keeps them once.
   */
  public static List<LifecycleNotice> recovered(String entityId, String sessionId, SessionState s) {
    List<LifecycleNotice> notices = new ArrayList<>();
    if (!s.exists()) {
      return notices;
    }
    notices.add(created(entityId, sessionId, s.createdAt()));
    Optional<Mark> now = mark(s);
    if (!s.turns().isEmpty()) {
      Turn last = s.turns().get(s.turns().size() - 1);
      Mark started = new Mark(LifecycleNotice.IN_PROGRESS, last.id());
      if (last.status() != TurnStatus.QUEUED && !now.equals(Optional.of(started))) {
        notices.add(
            new LifecycleNotice(
                eventId(entityId, started), started.type(), sessionId, null, last.acceptedAt()));
      }
    }
    now.filter(m -> !m.type().equals(LifecycleNotice.CREATED))
        .ifPresent(m -> notices.add(notice(entityId, sessionId, m, s, timeOf(m, s))));
    return notices;
  }

  /** The stable event id of mark {@code m} of the session {@code entityId}. */
  public static String eventId(String entityId, Mark m) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  (entityId + "\n" + m.type() + "\n" + m.about()).getBytes(StandardCharsets.UTF_8));
      return "evt_" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static LifecycleNotice created(String entityId, String sessionId, Instant at) {
    Mark m = new Mark(LifecycleNotice.CREATED, "");
    return new LifecycleNotice(eventId(entityId, m), m.type(), sessionId, null, at);
  }

  private static LifecycleNotice notice(
      String entityId, String sessionId, Mark m, SessionState s, Instant at) {
    String action = m.type().equals(LifecycleNotice.ACTION_REQUIRED) ? requiredAction(s) : null;
    return new LifecycleNotice(eventId(entityId, m), m.type(), sessionId, action, at);
  }

  /**
   * What the waiting turn needs: the client's result of a function call when it waits for nothing
   * else, an MCP approval if one is asked, else one of ours.
   */
  static String requiredAction(SessionState s) {
    if (s.activeTurn().map(t -> t.status() == TurnStatus.WAITING).orElse(false)) {
      return FUNCTION_CALL;
    }
    boolean mcp =
        s.pendingApprovals().stream()
            .anyMatch(
                a -> a.definition() != null && ToolDefinition.MCP.equals(a.definition().kind()));
    return mcp ? MCP_APPROVAL : TOOL_APPROVAL;
  }

  private static Instant timeOf(Mark m, SessionState s) {
    if (m.type().equals(LifecycleNotice.IDLE)) {
      return s.turns().get(s.turns().size() - 1).updatedAt();
    } else if (m.type().equals(LifecycleNotice.ACTION_REQUIRED)) {
      return s.activeTurn().map(Turn::pausedAt).orElse(s.updatedAt());
    } else if (m.type().equals(LifecycleNotice.IN_PROGRESS)) {
      return s.activeTurn().map(Turn::acceptedAt).orElse(s.updatedAt());
    }
    return s.updatedAt();
  }

  private static long millis(Instant at) {
    return at == null ? 0 : at.toEpochMilli();
  }
}
