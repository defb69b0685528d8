package io.agentruntime.http.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.runtime.agents.SavedAgent;
import io.agentruntime.runtime.session.Approval;
import io.agentruntime.runtime.session.ClientCall;
import io.agentruntime.runtime.session.SessionStatus;
import io.agentruntime.runtime.session.SessionView;
import io.agentruntime.runtime.session.Turn;
import io.agentruntime.runtime.session.TurnStatus;
import io.agentruntime.runtime.session.Usage;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Our sessions, turns and approvals as the Agents API's objects (decision 0025). Status: {@code
 * idle} is idle, {@code running} is {@code in_progress}, {@code awaiting_approval} and {@code
 * awaiting_client} are {@code requires_action}, and a session an operator suspended is {@code
 * failed} (with the reason in {@code error}) until resumed; a closed (deleted) session is not
 * found. Pure: table-tested.
 */
public final class AgentObjects {

  /** The extension type of a required action for an approval of one of our HTTP tools. */
  public static final String APPROVAL_ACTION = "x-agent-runtime-approval_request";

  /** ... and for a tool call whose outcome is unknown (decision 0016). */
  public static final String IN_DOUBT_ACTION = "x-agent-runtime-in_doubt_request";

  /** ... and for a model call past the session's budget (decision 0039): no tool is named. */
  public static final String BUDGET_ACTION = "x-agent-runtime-budget_request";

  private AgentObjects() {}

  public static long seconds(Instant at) {
    return at == null ? 0 : at.getEpochSecond();
  }

  public static ObjectNode agent(SavedAgent saved) {
    ObjectNode a = AgentConfig.JSON.objectNode();
    a.put("id", saved.id());
    a.put("object", "agent");
    a.put("created_at", seconds(saved.createdAt()));
    a.put("updated_at", seconds(saved.updatedAt()));
    a.setAll((ObjectNode) saved.body());
    return a;
  }

  /** The status a session of {@code status} shows. */
  public static String status(SessionStatus status) {
    return switch (status) {
      case IDLE -> "idle";
      case RUNNING -> "in_progress";
      case AWAITING_APPROVAL, AWAITING_CLIENT -> "requires_action";
      case SUSPENDED, CLOSED -> "failed";
    };
  }

  /** The status a turn of {@code status} shows. */
  public static String status(TurnStatus status) {
    return switch (status) {
      case QUEUED -> "queued";
      case RUNNING -> "in_progress";
      case AWAITING_APPROVAL, WAITING -> "waiting";
      case COMPLETED -> "completed";
      case FAILED -> "failed";
      case CANCELLED -> "cancelled";
    };
  }

  /** The labels of the session's MCP connections. */
  public static Set<String> mcpLabels(Collection<ToolConnection> tools) {
    Set<String> labels = new TreeSet<>();
    tools.forEach(
        t -> {
          if (t instanceof ToolConnection.Mcp m) {
            labels.add(m.name());
          }
        });
    return labels;
  }

  /**
   * The session's agent as it was asked; sessions of our own API get one made of their spec. Its
   * {@code id} is the saved agent's, or the session's inline agent's ({@link InlineAgents}).
   */
  public static ObjectNode sessionAgent(SessionView v) {
    ObjectNode a;
    if (v.agent().profile() instanceof ObjectNode profile) {
      a = profile.deepCopy();
    } else {
      a = AgentConfig.defaults();
      a.remove("metadata");
      a.put("model", v.agent().model());
      a.put("instructions", v.agent().instructions());
    }
    a.put("id", agentId(v));
    return a;
  }

  /** The session object; {@code pending} are its pending approvals (may be empty). */
  public static ObjectNode session(SessionView v, Collection<Approval> pending) {
    ObjectNode s = AgentConfig.JSON.objectNode();
    s.put("id", v.id());
    s.put("object", "agent.session");
    s.put("created_at", seconds(v.createdAt()));
    s.put("last_active_at", seconds(v.updatedAt()));
    s.put("status", status(v.status()));
    s.set("agent", sessionAgent(v));
    s.putObject("environment").put("type", "none");
    if (v.status() == SessionStatus.SUSPENDED) {
      s.put("error", "suspended by an operator; it goes on once resumed");
    } else {
      s.putNull("error");
    }
    ObjectNode metadata = s.putObject("metadata");
    v.metadata().forEach(metadata::put);
    ArrayNode actions = s.putArray("required_actions");
    Set<String> labels = mcpLabels(v.tools());
    v.pendingClientCalls().forEach(c -> actions.add(functionCall(c)));
    pending.forEach(a -> actions.add(requiredAction(a, labels)));
    s.set("usage", usage(v.usage()));
    ArrayNode vaults = s.putArray("vault_ids");
    v.vaultIds().forEach(vaults::add);
    return s;
  }

  public static JsonNode usage(Usage u) {
    if (u == null) {
      return AgentConfig.JSON.nullNode();
    }
    ObjectNode n = AgentConfig.JSON.objectNode();
    n.put("input_tokens", u.inputTokens());
    n.putObject("input_tokens_details").put("cached_tokens", 0);
    n.put("output_tokens", u.outputTokens());
    n.putObject("output_tokens_details").put("reasoning_tokens", 0);
    n.put("total_tokens", u.inputTokens() + u.outputTokens());
    return n;
  }

  /**
   * A pending approval as a required action: an MCP tool's as {@code mcp_approval_request}, an HTTP
   * tool's and an in-doubt call's as our extension types.
   */
  public static ObjectNode requiredAction(Approval a, Set<String> mcpLabels) {
    return requiredAction(
        a.id(), a.turnId(), a.tool(), a.arguments(), a.reason(), a.expiresAt(), mcpLabels);
  }

  static ObjectNode requiredAction(
      String id,
      String turnId,
      String tool,
      JsonNode arguments,
      String reason,
      Instant expiresAt,
      Set<String> mcpLabels) {
    ObjectNode r = AgentConfig.JSON.objectNode();
    if (Approval.BUDGET.equals(reason)) {
      r.put("type", BUDGET_ACTION);
      r.put("request_id", id);
      r.put("turn_id", turnId);
      r.set("arguments", arguments);
      r.put("expires_at", seconds(expiresAt));
      return r;
    }
    int split = tool.indexOf("__");
    boolean mcp = split > 0 && mcpLabels.contains(tool.substring(0, split));
    if (Approval.IN_DOUBT.equals(reason)) {
      r.put("type", IN_DOUBT_ACTION);
    } else if (mcp) {
      r.put("type", "mcp_approval_request");
    } else {
      r.put("type", APPROVAL_ACTION);
    }
    r.put("request_id", id);
    r.put("turn_id", turnId);
    if (mcp && !Approval.IN_DOUBT.equals(reason)) {
      ObjectNode req = r.putObject("request");
      req.put("type", "mcp_tool_call");
      req.put("server_label", tool.substring(0, split));
      req.put("name", tool.substring(split + 2));
      req.set("arguments", arguments);
      req.put("message", "May " + tool.substring(split + 2) + " run with these arguments?");
    } else {
      r.put("tool", tool);
      r.set("arguments", arguments);
      r.put("expires_at", seconds(expiresAt));
    }
    return r;
  }

  /** A function call that waits for the client's result, as a required action. */
  public static ObjectNode functionCall(ClientCall call) {
    return functionCall(call.callId(), call.name(), call.arguments(), call.turnId());
  }

  static ObjectNode functionCall(String callId, String name, JsonNode arguments, String turnId) {
    ObjectNode r = AgentConfig.JSON.objectNode();
    r.put("type", "function_call");
    r.put("call_id", callId);
    r.put("name", name);
    r.set("arguments", arguments);
    r.put("turn_id", turnId);
    return r;
  }

  /** The names of the session's client-run function tools. */
  public static Set<String> clientTools(Collection<ToolConnection> tools) {
    Set<String> names = new TreeSet<>();
    tools.forEach(
        t -> {
          if (t instanceof ToolConnection.Function f) {
            names.add(f.name());
          }
        });
    return names;
  }

  /** A turn object. */
  public static ObjectNode turn(String sessionId, String agentId, Turn t) {
    ObjectNode n = AgentConfig.JSON.objectNode();
    n.put("id", t.id());
    n.put("object", "agent.session.turn");
    n.set("agent_id", AgentConfig.nullOr(agentId));
    n.put("session_id", sessionId);
    n.put("created_at", seconds(t.acceptedAt()));
    if (t.status() == TurnStatus.QUEUED) {
      n.putNull("started_at");
    } else {
      n.put("started_at", seconds(t.acceptedAt()));
    }
    if (t.status().terminal()) {
      n.put("completed_at", seconds(t.updatedAt()));
    } else {
      n.putNull("completed_at");
    }
    n.put("status", status(t.status()));
    n.putNull("subagent_id");
    n.putNull("usage");
    if (t.status() == TurnStatus.FAILED && t.error() != null) {
      ObjectNode e = n.putObject("error");
      e.put("code", t.error().code());
      e.put("message", t.error().message());
    } else {
      n.putNull("error");
    }
    return n;
  }

  /** The id of the session's agent: the saved agent's it was made from, or its inline agent's. */
  public static String agentId(SessionView v) {
    String saved = savedAgentId(v);
    return saved != null ? saved : InlineAgents.idOf(v.id());
  }

  /** The saved agent's id a session was made from, or null. */
  public static String savedAgentId(SessionView v) {
    return v.agent().profile() == null ? null : v.agent().profile().path("id").textValue();
  }
}
