package io.agentruntime.http.agents;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.json.SessionBody;
import io.agentruntime.runtime.session.Approval;
import io.agentruntime.runtime.session.SessionEvent;
import io.agentruntime.runtime.session.SessionEvent.*;
import io.agentruntime.runtime.session.TranscriptEntry;
import io.agentruntime.runtime.session.Turn;
import io.agentruntime.runtime.session.TurnError;
import io.agentruntime.runtime.session.TurnStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One session's journal, as it streams, mapped to Agents-API events (section 4 of the reference,
 * decision 0025), in the order of 4.3: {@code turn.created}, {@code session.in_progress}, {@code
 * turn.in_progress}, the user message's {@code item.added}, per output item {@code item.added},
 * deltas and {@code item.done}, the turn's end, then {@code session.idle} (unless another turn
 * waits). An approval makes {@code session.requires_action}. Every event has an {@code event_id}
 * made of the journal sequence number it comes from (and its place among that one's events), so it
 * is unique in a stream and the same in every stream. Stateful per stream, but free of effects:
 * table-tested.
 */
public final class AgentEventMapper {

  private final String sessionId;
  private final ObjectNode session;
  private final String agentId;
  private final Set<String> mcpLabels;
  private final Set<String> clientTools;

  /** The key of a client call among the pending actions (approvals go by their id). */
  private static final String CALL = "call:";

  private final Map<String, Turn> turns = new LinkedHashMap<>();
  private final Map<String, Integer> userMessages = new HashMap<>();
  private final Map<String, Integer> replies = new HashMap<>();
  private final Map<String, ObjectNode> pendingActions = new LinkedHashMap<>();
  private final Map<String, String> userTexts = new HashMap<>();
  private final Map<String, TranscriptEntry.ToolCall> calls = new HashMap<>();
  private final Map<String, Integer> callIndexes = new HashMap<>();
  private final Map<String, Integer> outputIndexes = new HashMap<>();
  private String openItemTurn;
  private StringBuilder openText;
  private int openIndex;
  private long seq;
  private int emitted;
  private long inputTokens;
  private long outputTokens;
  private boolean turnSettled;

  /**
   * @param session the session object as it stood when the stream began (its status, agent,
   *     metadata, required actions ...); lifecycle events carry it as it changes
   * @param mcpLabels the labels of the session's MCP connections
   * @param clientTools the names of its client-run function tools
   * @param current the session's turn that is queued or running then, if any (null)
   */
  public AgentEventMapper(
      ObjectNode session, Set<String> mcpLabels, Set<String> clientTools, Turn current) {
    this.session = session.deepCopy();
    this.sessionId = session.path("id").asText();
    this.agentId = session.at("/agent/id").textValue();
    this.mcpLabels = Set.copyOf(mcpLabels);
    this.clientTools = Set.copyOf(clientTools);
    this.inputTokens = session.at("/usage/input_tokens").asLong(0);
    this.outputTokens = session.at("/usage/output_tokens").asLong(0);
    if (current != null) {
      turns.put(current.id(), current);
    }
    session
        .path("required_actions")
        .forEach(
            a ->
                pendingActions.put(
                    a.has("call_id")
                        ? CALL + a.get("call_id").asText()
                        : a.path("request_id").asText(),
                    (ObjectNode) a));
  }

  /** Whether a turn has ended and the session gone idle (or failed) since the stream began. */
  public boolean turnSettled() {
    return turnSettled;
  }

  /** The events of journaled event {@code event}, number {@code seq}. */
  public List<ObjectNode> journaled(long seq, SessionEvent event) {
    this.seq = seq;
    this.emitted = 0;
    List<ObjectNode> out = new ArrayList<>();
    Instant at = event.at();
    if (event instanceof SessionCreated) {
      out.add(lifecycle("agent.session.created", "idle", at));
    } else if (event instanceof UserMessageAccepted e) {
      Turn t = new Turn(e.turnId(), TurnStatus.QUEUED, 0, null, null, at, at);
      turns.put(e.turnId(), t);
      userTexts.put(e.turnId(), e.content());
      out.add(turnEvent("agent.session.turn.created", t));
    } else if (event instanceof TurnStarted e) {
      Turn q = turn(e.turnId(), at);
      Turn t = new Turn(q.id(), TurnStatus.RUNNING, 0, null, null, q.acceptedAt(), at);
      turns.put(e.turnId(), t);
      out.add(lifecycle("agent.session.in_progress", "in_progress", at));
      out.add(turnEvent("agent.session.turn.in_progress", t));
      int j = userMessages.merge(e.turnId(), 1, Integer::sum) - 1;
      String text = userTexts.getOrDefault(e.turnId(), "");
      out.add(itemAdded(e.turnId(), AgentItems.userMessage(e.turnId(), j, text), null));
    } else if (event instanceof UserMessageSteered e) {
      int j = userMessages.merge(e.turnId(), 1, Integer::sum) - 1;
      out.add(itemAdded(e.turnId(), AgentItems.userMessage(e.turnId(), j, e.content()), null));
    } else if (event instanceof ClientToolCallRequested e) {
      clientCall(e, out);
    } else if (event instanceof AssistantReplied e) {
      inputTokens += e.inputTokens();
      outputTokens += e.outputTokens();
      replied(e, out);
    } else if (event instanceof ToolCallEnded e) {
      callEnded(e, out);
    } else if (event instanceof ApprovalRequested e) {
      pendingActions.put(
          e.approvalId(),
          AgentObjects.requiredAction(
              e.approvalId(),
              e.turnId(),
              e.tool(),
              e.arguments(),
              Approval.POLICY,
              e.expiresAt(),
              mcpLabels));
      out.add(lifecycle("agent.session.requires_action", "requires_action", at));
    } else if (event instanceof ToolCallInDoubt e) {
      TranscriptEntry.ToolCall call = calls.get(e.turnId() + "\n" + e.toolCallId());
      pendingActions.put(
          e.approvalId(),
          AgentObjects.requiredAction(
              e.approvalId(),
              e.turnId(),
              call == null ? e.toolCallId() : call.name(),
              call == null ? AgentConfig.JSON.nullNode() : call.arguments(),
              Approval.IN_DOUBT,
              e.expiresAt(),
              mcpLabels));
      out.add(lifecycle("agent.session.requires_action", "requires_action", at));
    } else if (event instanceof SessionEvent.BudgetExceeded e) {
      pendingActions.put(
          e.approvalId(),
          AgentObjects.requiredAction(
              e.approvalId(),
              e.turnId(),
              null,
              budgetQuestion(e),
              Approval.BUDGET,
              e.expiresAt(),
              mcpLabels));
      out.add(lifecycle("agent.session.requires_action", "requires_action", at));
    } else if (event instanceof SessionEvent.BudgetRaised e) {
      decided(e.approvalId(), at, out);
    } else if (event instanceof ApprovalGranted e) {
      decided(e.approvalId(), at, out);
    } else if (event instanceof ApprovalDenied e) {
      decided(e.approvalId(), at, out);
    } else if (event instanceof ApprovalExpired e) {
      decided(e.approvalId(), at, out);
    } else if (event instanceof ApprovalWithdrawn e) {
      decided(e.approvalId(), at, out);
    } else if (event instanceof InDoubtResolved e) {
      decided(e.approvalId(), at, out);
    } else if (event instanceof TurnEnded e) {
      turnEnded(e, out);
    } else if (event instanceof SessionSuspended) {
      ObjectNode failed = lifecycle("agent.session.failed", "failed", at);
      ((ObjectNode) failed.get("session"))
          .put("error", "suspended by an operator; it goes on once resumed");
      out.add(failed);
    } else if (event instanceof SessionResumed) {
      boolean running = turns.values().stream().anyMatch(t -> !t.status().terminal());
      out.add(
          running
              ? lifecycle("agent.session.in_progress", "in_progress", at)
              : lifecycle("agent.session.idle", "idle", at));
    } else if (event instanceof SessionClosed) {
      ObjectNode failed = lifecycle("agent.session.failed", "failed", at);
      ((ObjectNode) failed.get("session")).put("error", "the session was deleted");
      out.add(failed);
      turnSettled = true;
    }
    return out;
  }

  /** The events of a piece of the model's text, as it streams in turn {@code turnId}. */
  public List<ObjectNode> delta(String turnId, String text) {
    List<ObjectNode> out = new ArrayList<>();
    if (openItemTurn == null || !openItemTurn.equals(turnId)) {
      openItemTurn = turnId;
      openText = new StringBuilder();
      openIndex = nextOutputIndex(turnId);
      int k = replies.getOrDefault(turnId, 0);
      out.add(
          itemAdded(
              turnId, AgentItems.assistantMessage(turnId, k, "", false, "in_progress"), openIndex));
      ObjectNode part = event("agent.session.turn.content_part.added", turnId);
      part.put("item_id", AgentItems.assistantId(turnId, k));
      part.put("output_index", openIndex);
      part.put("content_index", 0);
      part.putObject("part").put("type", "output_text").put("text", "");
      out.add(part);
    }
    openText.append(text);
    ObjectNode d = event("agent.session.turn.output_text.delta", turnId);
    d.put("item_id", AgentItems.assistantId(turnId, replies.getOrDefault(turnId, 0)));
    d.put("output_index", openIndex);
    d.put("content_index", 0);
    d.put("delta", text);
    out.add(d);
    return out;
  }

  private void replied(AssistantReplied e, List<ObjectNode> out) {
    String turnId = e.turnId();
    int k = replies.getOrDefault(turnId, 0);
    boolean last = e.toolCalls().isEmpty();
    String text = e.text() == null ? "" : e.text();
    boolean open = turnId.equals(openItemTurn);
    if (open || !text.isEmpty()) {
      int index = open ? openIndex : nextOutputIndex(turnId);
      String itemId = AgentItems.assistantId(turnId, k);
      if (!open) {
        out.add(
            itemAdded(
                turnId, AgentItems.assistantMessage(turnId, k, "", last, "in_progress"), index));
      } else {
        ObjectNode done = event("agent.session.turn.output_text.done", turnId);
        done.put("item_id", itemId);
        done.put("output_index", index);
        done.put("content_index", 0);
        done.put("text", text);
        out.add(done);
        ObjectNode part = event("agent.session.turn.content_part.done", turnId);
        part.put("item_id", itemId);
        part.put("output_index", index);
        part.put("content_index", 0);
        part.putObject("part").put("type", "output_text").put("text", text);
        out.add(part);
      }
      ObjectNode done = event("agent.session.turn.item.done", turnId);
      done.set("item", AgentItems.assistantMessage(turnId, k, text, last, "completed"));
      done.put("output_index", index);
      out.add(done);
    }
    openItemTurn = null;
    replies.put(turnId, k + 1);
    for (TranscriptEntry.ToolCall call : e.toolCalls()) {
      String key = turnId + "\n" + call.id();
      calls.put(key, call);
      int index = nextOutputIndex(turnId);
      callIndexes.put(key, index);
      if (!clientTools.contains(call.name())) {
        // A client's call is announced once it is registered, so that its result is never early.
        out.add(itemAdded(turnId, AgentItems.call(turnId, call, mcpLabels, null, null), index));
      }
    }
  }

  /**
   * The client's call is registered (section 10 of the reference): its item, then the session
   * requires the client's result.
   */
  private void clientCall(ClientToolCallRequested e, List<ObjectNode> out) {
    String key = e.turnId() + "\n" + e.toolCallId();
    TranscriptEntry.ToolCall call =
        calls.computeIfAbsent(
            key, k -> new TranscriptEntry.ToolCall(e.toolCallId(), e.tool(), e.arguments()));
    Integer index = callIndexes.computeIfAbsent(key, k -> nextOutputIndex(e.turnId()));
    out.add(itemAdded(e.turnId(), AgentItems.call(e.turnId(), call, mcpLabels, null, null), index));
    pendingActions.put(
        CALL + e.toolCallId(),
        AgentObjects.functionCall(e.toolCallId(), e.tool(), e.arguments(), e.turnId()));
    out.add(lifecycle("agent.session.requires_action", "requires_action", e.at()));
  }

  private void callEnded(ToolCallEnded e, List<ObjectNode> out) {
    String key = e.turnId() + "\n" + e.toolCallId();
    TranscriptEntry.ToolCall call = calls.remove(key);
    if (call == null) {
      return; // a call made before the stream began
    }
    String content = outcomeText(e);
    ObjectNode done = event("agent.session.turn.item.done", e.turnId());
    done.set("item", AgentItems.call(e.turnId(), call, mcpLabels, e.outcome(), content));
    done.put("output_index", callIndexes.remove(key));
    out.add(done);
    if (!AgentItems.isMcp(call.name(), mcpLabels)) {
      out.add(
          itemAdded(
              e.turnId(),
              AgentItems.callOutput(e.turnId(), e.toolCallId(), e.outcome(), content),
              null));
    }
    decided(CALL + e.toolCallId(), e.at(), out);
  }

  /** As the transcript words a call's outcome. */
  static String outcomeText(ToolCallEnded e) {
    if (e instanceof ToolCallSucceeded s) {
      return s.result() == null ? "null" : s.result().toString();
    }
    if (e instanceof ToolCallFailed f) {
      return "error (" + f.code() + "): " + f.message();
    }
    if (e instanceof ToolCallRejected r) {
      return "rejected: " + r.reason();
    }
    return "cancelled: " + ((ToolCallCancelled) e).reason();
  }

  private void decided(String approvalId, Instant at, List<ObjectNode> out) {
    if (pendingActions.remove(approvalId) != null
        && pendingActions.isEmpty()
        && turns.values().stream().anyMatch(t -> !t.status().terminal())) {
      out.add(lifecycle("agent.session.in_progress", "in_progress", at));
    }
  }

  private void turnEnded(TurnEnded e, List<ObjectNode> out) {
    Turn before = turn(e.turnId(), e.at());
    Turn ended;
    String type;
    if (e instanceof TurnCompleted c) {
      ended = ended(before, TurnStatus.COMPLETED, c.output(), null, e.at());
      type = "agent.session.turn.completed";
    } else if (e instanceof TurnFailed f) {
      ended = ended(before, TurnStatus.FAILED, null, new TurnError(f.code(), f.message()), e.at());
      type = "agent.session.turn.failed";
    } else {
      ended = ended(before, TurnStatus.CANCELLED, null, null, e.at());
      type = "agent.session.turn.cancelled";
    }
    turns.put(e.turnId(), ended);
    pendingActions.values().removeIf(a -> e.turnId().equals(a.path("turn_id").asText()));
    if (e.turnId().equals(openItemTurn)) {
      openItemTurn = null;
    }
    out.add(turnEvent(type, ended));
    turns.remove(e.turnId());
    if (turns.values().stream().noneMatch(t -> !t.status().terminal())) {
      out.add(lifecycle("agent.session.idle", "idle", e.at()));
      turnSettled = true;
    }
  }

  private static Turn ended(Turn t, TurnStatus status, String output, TurnError error, Instant at) {
    return new Turn(t.id(), status, t.steps(), output, error, t.acceptedAt(), at);
  }

  private Turn turn(String turnId, Instant at) {
    return turns.computeIfAbsent(
        turnId, id -> new Turn(id, TurnStatus.QUEUED, 0, null, null, at, at));
  }

  private int nextOutputIndex(String turnId) {
    return outputIndexes.merge(turnId, 1, Integer::sum) - 1;
  }

  private ObjectNode event(String type, String turnId) {
    ObjectNode e = AgentConfig.JSON.objectNode();
    e.put("type", type);
    e.put("event_id", "evt_" + seq + "_" + emitted++);
    if (turnId != null) {
      e.put("session_id", sessionId);
      e.put("turn_id", turnId);
    }
    return e;
  }

  private ObjectNode itemAdded(String turnId, ObjectNode item, Integer outputIndex) {
    ObjectNode e = event("agent.session.turn.item.added", turnId);
    e.set("item", item);
    if (outputIndex == null) {
      e.putNull("output_index");
    } else {
      e.put("output_index", outputIndex);
    }
    return e;
  }

  private ObjectNode turnEvent(String type, Turn t) {
    ObjectNode e = event(type, t.id());
    e.set("turn", AgentObjects.turn(sessionId, agentId, t));
    if (t.status().terminal()) {
      e.putNull("usage");
    }
    return e;
  }

  private ObjectNode lifecycle(String type, String status, Instant at) {
    ObjectNode e = event(type, null);
    session.put("status", status);
    session.put("last_active_at", AgentObjects.seconds(at));
    session.putNull("error");
    ArrayNode actions = session.putArray("required_actions");
    if ("requires_action".equals(status)) {
      pendingActions.values().forEach(actions::add);
    }
    session.set(
        "usage",
        AgentObjects.usage(
            new io.agentruntime.runtime.session.Usage(inputTokens, outputTokens, BigDecimal.ZERO)));
    e.set("session", session.deepCopy());
    return e;
  }

  /** The budget, its limit and what was used (USD for the cost budget), and the raise's field. */
  private static ObjectNode budgetQuestion(SessionEvent.BudgetExceeded e) {
    var q = AgentConfig.JSON.objectNode().put("budget", e.budget());
    if (e.limitUsd() != null && e.usedUsd() != null) {
      return q.put("limit", SessionBody.usd(e.limitUsd()))
          .put("used", SessionBody.usd(e.usedUsd()))
          .put("raise", "maxSessionCost");
    }
    return q.put("limit", e.limit()).put("used", e.used()).put("raise", "maxSessionTokens");
  }
}
