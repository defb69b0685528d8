package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.runtime.ratelimits.RateLimitHit;
import io.agentruntime.runtime.session.SessionEvent.ApprovalDenied;
import io.agentruntime.runtime.session.SessionEvent.ApprovalExpired;
import io.agentruntime.runtime.session.SessionEvent.ApprovalGranted;
import io.agentruntime.runtime.session.SessionEvent.ApprovalRequested;
import io.agentruntime.runtime.session.SessionEvent.BudgetExceeded;
import io.agentruntime.runtime.session.SessionEvent.BudgetRaised;
import io.agentruntime.runtime.session.SessionEvent.InDoubtResolved;
import io.agentruntime.runtime.session.SessionEvent.ToolCallInDoubt;
import io.agentruntime.runtime.session.SessionEvent.TurnCompleted;
import io.agentruntime.runtime.session.SessionEvent.TurnFailed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Our own webhook events, read off a session's journaled events (pure; decision 0036): {@code
 * approval.requested} (also for an in-doubt question, which {@code tool_call.in_doubt} announces
 * too, and for a spent budget, which {@code budget.exceeded} announces too), {@code
 * approval.decided}, {@code approval.expired}, {@code turn.completed} and {@code turn.failed}.
 * Approval events carry the row {@code GET /v1/approvals} shows, with its {@code decisionUrl}; turn
 * events {@code {sessionId, turnId, status, error?}}.
 *
 * <p>An event's id is a digest of the session, the type and what it is about (the approval, the
 * turn), as {@link LifecycleNotices} makes them: announced again after a crash, it is the same
 * event and the outbox keeps it once.
 */
public final class OwnEventNotices {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private OwnEventNotices() {}

  /** What a persist of {@code events}, which made {@code next}, announces. */
  public static List<LifecycleNotice> after(
      String entityId, String sessionId, SessionState next, List<SessionEvent> events) {
    List<LifecycleNotice> notices = new ArrayList<>();
    for (SessionEvent event : events) {
      if (event instanceof ApprovalRequested e) {
        next.approval(e.approvalId())
            .ifPresent(a -> notices.add(requested(entityId, sessionId, a, e.at())));
      } else if (event instanceof ToolCallInDoubt e) {
        next.approval(e.approvalId())
            .ifPresent(
                a -> {
                  notices.add(
                      approvalNotice(
                          entityId, LifecycleNotice.TOOL_CALL_IN_DOUBT, sessionId, a, e.at()));
                  notices.add(requested(entityId, sessionId, a, e.at()));
                });
      } else if (event instanceof BudgetExceeded e) {
        next.approval(e.approvalId())
            .ifPresent(
                a -> {
                  notices.add(
                      approvalNotice(
                          entityId, LifecycleNotice.BUDGET_EXCEEDED, sessionId, a, e.at()));
                  notices.add(requested(entityId, sessionId, a, e.at()));
                });
      } else if (event instanceof BudgetRaised e) {
        decided(entityId, sessionId, next, e.approvalId(), "approve", e.by(), e.at())
            .ifPresent(notices::add);
      } else if (event instanceof ApprovalGranted e) {
        decided(entityId, sessionId, next, e.approvalId(), "approve", e.by(), e.at())
            .ifPresent(notices::add);
      } else if (event instanceof ApprovalDenied e) {
        decided(entityId, sessionId, next, e.approvalId(), "deny", e.by(), e.at())
            .ifPresent(notices::add);
      } else if (event instanceof InDoubtResolved e) {
        decided(entityId, sessionId, next, e.approvalId(), e.decision(), e.by(), e.at())
            .ifPresent(notices::add);
      } else if (event instanceof ApprovalExpired e) {
        next.approval(e.approvalId())
            .ifPresent(a -> notices.add(expired(entityId, sessionId, a, e.at())));
      } else if (event instanceof TurnCompleted e) {
        notices.add(turn(entityId, sessionId, e.turnId(), "completed", null, e.at()));
      } else if (event instanceof TurnFailed e) {
        notices.add(
            turn(
                entityId,
                sessionId,
                e.turnId(),
                "failed",
                new TurnError(e.code(), e.message()),
                e.at()));
      }
    }
    return notices;
  }

  /**
   * What a recovered session announces again, in case a crash cut the hand-off: every pending
   * approval, the outcomes of the approvals of its last turn, and how its last turn ended. Each is
   * the same event as before, and the outbox keeps it once.
   */
  public static List<LifecycleNotice> recovered(String entityId, String sessionId, SessionState s) {
    List<LifecycleNotice> notices = new ArrayList<>();
    if (!s.exists() || s.turns().isEmpty()) {
      return notices;
    }
    Turn last = s.turns().get(s.turns().size() - 1);
    for (Approval a : s.approvals().values()) {
      if (a.pending()) {
        if (Approval.IN_DOUBT.equals(a.reason())) {
          notices.add(
              approvalNotice(
                  entityId, LifecycleNotice.TOOL_CALL_IN_DOUBT, sessionId, a, a.requestedAt()));
        } else if (Approval.BUDGET.equals(a.reason())) {
          notices.add(
              approvalNotice(
                  entityId, LifecycleNotice.BUDGET_EXCEEDED, sessionId, a, a.requestedAt()));
        }
        notices.add(requested(entityId, sessionId, a, a.requestedAt()));
      } else if (a.turnId().equals(last.id())) {
        if (Approval.EXPIRED.equals(a.status())) {
          notices.add(expired(entityId, sessionId, a, last.updatedAt()));
        } else {
          decisionOf(a.status())
              .ifPresent(
                  d ->
                      notices.add(
                          decidedNotice(
                              entityId, sessionId, a, d, a.decidedBy(), last.updatedAt())));
        }
      }
    }
    if (last.status() == TurnStatus.COMPLETED) {
      notices.add(turn(entityId, sessionId, last.id(), "completed", null, last.updatedAt()));
    } else if (last.status() == TurnStatus.FAILED) {
      notices.add(turn(entityId, sessionId, last.id(), "failed", last.error(), last.updatedAt()));
    }
    return notices;
  }

  /** The row of {@code GET /v1/approvals}, as a webhook's data. */
  static ObjectNode row(String sessionId, Approval a) {
    ObjectNode o = JSON.objectNode();
    o.put("id", a.id());
    o.put("sessionId", sessionId);
    o.put("turnId", a.turnId());
    o.put("toolCallId", a.toolCallId());
    o.put("tool", a.tool());
    o.set("arguments", a.arguments() == null ? JSON.nullNode() : a.arguments().deepCopy());
    o.put("reason", a.reason());
    if (a.rateLimit() != null) {
      o.set("rateLimit", rateLimit(a.tool(), a.rateLimit()));
    }
    o.put("requestedAt", String.valueOf(a.requestedAt()));
    o.put("expiresAt", String.valueOf(a.expiresAt()));
    o.put("onExpiry", a.expiryPath());
    o.put("decisionUrl", "/v1/sessions/" + sessionId + "/approvals/" + a.id());
    return o;
  }

  /**
   * What a {@code rate_limit} approval says: the tool, its window, the limit and the count; and,
   * where the limit could not be checked, {@code unread}: what could not be read ({@code count} or
   * {@code policy}), so that nulls are not taken for a limit that was hit.
   */
  public static ObjectNode rateLimit(String tool, RateLimitHit hit) {
    ObjectNode o = JSON.objectNode();
    o.put("tool", tool);
    o.put("window", hit.window());
    o.put("limit", hit.limit());
    o.put("count", hit.count());
    if (hit.unread() != null) {
      o.put("unread", hit.unread());
    }
    return o;
  }

  private static LifecycleNotice requested(
      String entityId, String sessionId, Approval a, Instant at) {
    return approvalNotice(entityId, LifecycleNotice.APPROVAL_REQUESTED, sessionId, a, at);
  }

  private static LifecycleNotice approvalNotice(
      String entityId, String type, String sessionId, Approval a, Instant at) {
    return new LifecycleNotice(
        id(entityId, type, a.id()), type, sessionId, null, at, row(sessionId, a));
  }

  private static Optional<LifecycleNotice> decided(
      String entityId,
      String sessionId,
      SessionState next,
      String approvalId,
      String decision,
      String by,
      Instant at) {
    return next.approval(approvalId)
        .map(a -> decidedNotice(entityId, sessionId, a, decision, by, at));
  }

  private static LifecycleNotice decidedNotice(
      String entityId, String sessionId, Approval a, String decision, String by, Instant at) {
    ObjectNode data = row(sessionId, a);
    data.put("decision", decision);
    data.put("by", by);
    data.put("at", at.toString());
    return new LifecycleNotice(
        id(entityId, LifecycleNotice.APPROVAL_DECIDED, a.id()),
        LifecycleNotice.APPROVAL_DECIDED,
        sessionId,
        null,
        at,
        data);
  }

  private static LifecycleNotice expired(
      String entityId, String sessionId, Approval a, Instant at) {
    ObjectNode data = row(sessionId, a);
    data.put("decision", Approval.EXPIRED);
    data.putNull("by");
    data.put("at", at.toString());
    return new LifecycleNotice(
        id(entityId, LifecycleNotice.APPROVAL_EXPIRED, a.id()),
        LifecycleNotice.APPROVAL_EXPIRED,
        sessionId,
        null,
        at,
        data);
  }

  /** The API's decision name of an approval's status; empty when no human decided it. */
  static Optional<String> decisionOf(String status) {
    return switch (status == null ? "" : status) {
      case "granted" -> Optional.of("approve");
      case "denied" -> Optional.of("deny");
      case "resolved:retry" -> Optional.of("retry");
      case "resolved:fail" -> Optional.of("fail");
      case "resolved:result" -> Optional.of("result");
      default -> Optional.empty();
    };
  }

  private static LifecycleNotice turn(
      String entityId,
      String sessionId,
      String turnId,
      String status,
      TurnError error,
      Instant at) {
    String type =
        "completed".equals(status) ? LifecycleNotice.TURN_COMPLETED : LifecycleNotice.TURN_FAILED;
    ObjectNode data = JSON.objectNode();
    data.put("sessionId", sessionId);
    data.put("turnId", turnId);
    data.put("status", status);
    if (error != null) {
      data.putObject("error").put("code", error.code()).put("message", error.message());
    }
    return new LifecycleNotice(id(entityId, type, turnId), type, sessionId, null, at, data);
  }

  private static String id(String entityId, String type, String about) {
    return LifecycleNotices.eventId(entityId, new LifecycleNotices.Mark(type, about));
  }
}
