package io.agentruntime.http.agents;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.runtime.session.SessionStatus;
import io.agentruntime.runtime.session.SessionValidation;
import io.agentruntime.runtime.session.SessionView;
import java.util.Optional;

/**
 * The agent of a session made without a saved agent (an inline {@code agent}, or a session of our
 * own API): the SDKs require a string {@code agent.id} (and a turn's {@code agent_id}), so such a
 * session's agent is named after the session, {@code agt_inline_<session id>}, and {@code GET
 * /v1/agents/{id}} answers it from the session for whoever may see that session (decision 0047). It
 * is not a saved agent: it is not listed among the tenant's agents, and it changes with its session
 * ({@code POST /v1/agents/sessions/{id}}), not through {@code /v1/agents/{id}}. Pure: table-tested.
 */
public final class InlineAgents {

  public static final String PREFIX = "agt_inline_";

  private InlineAgents() {}

  /** The id of {@code sessionId}'s inline agent. */
  public static String idOf(String sessionId) {
    return PREFIX + sessionId;
  }

  /** The session whose inline agent {@code agentId} names, if it names one. */
  public static Optional<String> sessionOf(String agentId) {
    if (agentId == null || !agentId.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String session = agentId.substring(PREFIX.length());
    return SessionValidation.SESSION_ID.matcher(session).matches()
        ? Optional.of(session)
        : Optional.empty();
  }

  /**
   * The agent object of {@code v}'s inline agent; empty when {@code v} has none (it was made from a
   * saved agent) or is closed.
   */
  public static Optional<ObjectNode> agent(SessionView v) {
    if (v.status() == SessionStatus.CLOSED || AgentObjects.savedAgentId(v) != null) {
      return Optional.empty();
    }
    ObjectNode config = AgentObjects.sessionAgent(v);
    ObjectNode a = AgentConfig.JSON.objectNode();
    a.put("id", idOf(v.id()));
    a.put("object", "agent");
    a.put("created_at", AgentObjects.seconds(v.createdAt()));
    a.put("updated_at", AgentObjects.seconds(v.updatedAt()));
    config.remove("id");
    a.setAll(config);
    if (!a.has("name")) {
      a.putNull("name");
    }
    if (!a.has("metadata")) {
      a.putObject("metadata");
    }
    return Optional.of(a);
  }
}
