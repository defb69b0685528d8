package io.agentruntime.runtime.session;

import io.agentruntime.runtime.CborSerializable;
import java.time.Instant;

/**
 * One change of a session's lifecycle, as webhooks announce it (decision 0027): {@code type} is the
 * webhook event type ({@code agent.session.idle}, ...), {@code requiredAction} the kind of action
 * an {@code action_required} waits for (null otherwise). {@code eventId} is derived from the
 * session and the change itself, so the same change announced again (a retry, a recovery) carries
 * the same id.
 */
public record LifecycleNotice(
    String eventId, String type, String sessionId, String requiredAction, Instant at)
    implements CborSerializable {

  public static final String CREATED = "agent.session.created";
  public static final String IN_PROGRESS = "agent.session.in_progress";
  public static final String ACTION_REQUIRED = "agent.session.action_required";
  public static final String IDLE = "agent.session.idle";
  public static final String FAILED = "agent.session.failed";
}
