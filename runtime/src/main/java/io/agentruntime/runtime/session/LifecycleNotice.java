package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.CborSerializable;
import java.time.Instant;

/**
 * One change of a session's lifecycle, as webhooks announce it (decision 0027): {@code type} is the
 * webhook event type ({@code agent.session.idle}, ...), {@code requiredAction} the kind of action
 * an {@code action_required} waits for (null otherwise). {@code eventId} is derived from the
 * session and the change itself, so the same change announced again (a retry, a recovery) carries
 * the same id. {@code data} is the body's {@code data} of our own events (decision 0036: approvals,
 * in-doubt calls, turns ended); null for the Agents API's lifecycle events, and absent from notices
 * journaled before it.
 */
public record LifecycleNotice(
    String eventId, String type, String sessionId, String requiredAction, Instant at, JsonNode data)
    implements CborSerializable {

  public LifecycleNotice {
    // Stored without data, it reads back as JSON null: the same notice.
    data = data == null || data.isNull() ? null : data;
  }

  public LifecycleNotice(
      String eventId, String type, String sessionId, String requiredAction, Instant at) {
    this(eventId, type, sessionId, requiredAction, at, null);
  }

  public static final String CREATED = "agent.session.created";
  public static final String IN_PROGRESS = "agent.session.in_progress";
  public static final String ACTION_REQUIRED = "agent.session.action_required";
  public static final String IDLE = "agent.session.idle";
  public static final String FAILED = "agent.session.failed";

  // Our own events (decision 0036), each with its data.
  public static final String APPROVAL_REQUESTED = "approval.requested";
  public static final String APPROVAL_DECIDED = "approval.decided";
  public static final String APPROVAL_EXPIRED = "approval.expired";
  public static final String TOOL_CALL_IN_DOUBT = "tool_call.in_doubt";
  public static final String TURN_COMPLETED = "turn.completed";
  public static final String TURN_FAILED = "turn.failed";

  /** Announced by the budgets and the schedules (issue 15); an endpoint may subscribe already. */
  public static final String BUDGET_EXCEEDED = "budget.exceeded";

  public static final String SCHEDULE_FIRED = "schedule.fired";
}
