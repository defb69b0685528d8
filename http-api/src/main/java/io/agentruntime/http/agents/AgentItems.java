package io.agentruntime.http.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.runtime.session.TranscriptEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A session's transcript as Agents-API items (decision 0025): a user message, an assistant message
 * (when the model said something), a {@code function_call} and its {@code function_call_output} per
 * call of one of our HTTP or built-in tools, one {@code mcp_call} (its output in it) per call of an
 * MCP tool. Ids are stable and derived from the turn and the model's call ids, so the stream
 * ({@link AgentEventMapper}) and the list name an item alike. Pure.
 */
public final class AgentItems {

  private AgentItems() {}

  /** The turn's part of every item id: the turn id without its {@code turn_} prefix. */
  static String turnKey(String turnId) {
    return turnId.startsWith("turn_") ? turnId.substring(5) : turnId;
  }

  static ObjectNode userMessage(String turnId, int index, String text) {
    ObjectNode m = AgentConfig.JSON.objectNode();
    m.put("type", "message");
    m.put("id", "msg_" + turnKey(turnId) + "_u" + index);
    m.put("role", "user");
    m.putArray("content").addObject().put("type", "input_text").put("text", text);
    m.putNull("phase");
    m.put("status", "completed");
    m.put("turn_id", turnId);
    return m;
  }

  static String assistantId(String turnId, int index) {
    return "msg_" + turnKey(turnId) + "_" + index;
  }

  static ObjectNode assistantMessage(
      String turnId, int index, String text, boolean last, String status) {
    ObjectNode m = AgentConfig.JSON.objectNode();
    m.put("type", "message");
    m.put("id", assistantId(turnId, index));
    m.put("role", "assistant");
    m.putArray("content").addObject().put("type", "output_text").put("text", text);
    m.put("phase", last ? "final_answer" : "commentary");
    m.put("status", status);
    m.put("turn_id", turnId);
    return m;
  }

  static boolean isMcp(String tool, Set<String> mcpLabels) {
    int split = tool.indexOf("__");
    return split > 0 && mcpLabels.contains(tool.substring(0, split));
  }

  /**
   * A call: {@code outcome} is null while it has none (or it is in doubt), else succeeded, failed,
   * rejected or cancelled, with {@code content} its result or why it has none.
   */
  static ObjectNode call(
      String turnId,
      TranscriptEntry.ToolCall call,
      Set<String> mcpLabels,
      String outcome,
      String content) {
    ObjectNode c = AgentConfig.JSON.objectNode();
    String status =
        outcome == null || "in_doubt".equals(outcome)
            ? "in_progress"
            : "succeeded".equals(outcome) ? "completed" : "failed";
    if (isMcp(call.name(), mcpLabels)) {
      int split = call.name().indexOf("__");
      c.put("type", "mcp_call");
      c.put("id", "mcp_" + turnKey(turnId) + "_" + call.id());
      c.put("server_label", call.name().substring(0, split));
      c.put("name", call.name().substring(split + 2));
      c.set("arguments", call.arguments());
      boolean ok = "completed".equals(status);
      c.set("output", ok ? AgentConfig.JSON.textNode(content) : AgentConfig.JSON.nullNode());
      c.set(
          "error",
          "failed".equals(status)
              ? AgentConfig.JSON.textNode(content)
              : AgentConfig.JSON.nullNode());
    } else {
      c.put("type", "function_call");
      c.put("id", "fc_" + turnKey(turnId) + "_" + call.id());
      c.put("call_id", call.id());
      c.put("name", call.name());
      c.set("arguments", call.arguments());
    }
    c.put("status", status);
    c.put("turn_id", turnId);
    return c;
  }

  static ObjectNode callOutput(String turnId, String callId, String outcome, String content) {
    ObjectNode o = AgentConfig.JSON.objectNode();
    boolean ok = "succeeded".equals(outcome);
    content = ok ? unquoted(content) : content;
    o.put("type", "function_call_output");
    o.put("id", "fco_" + turnKey(turnId) + "_" + callId);
    o.put("call_id", callId);
    o.set("output", ok ? AgentConfig.JSON.textNode(content) : AgentConfig.JSON.nullNode());
    o.set("error", ok ? AgentConfig.JSON.nullNode() : AgentConfig.JSON.textNode(content));
    o.put("status", ok ? "completed" : "failed");
    o.put("turn_id", turnId);
    return o;
  }

  /** Every item of {@code transcript}, oldest first. */
  public static List<ObjectNode> of(List<TranscriptEntry> transcript, Set<String> mcpLabels) {
    Map<String, TranscriptEntry> outcomes = new HashMap<>();
    Map<String, Integer> lastAssistant = new HashMap<>();
    Map<String, Integer> assistants = new HashMap<>();
    for (TranscriptEntry e : transcript) {
      if ("tool".equals(e.role())) {
        outcomes.put(e.turnId() + "\n" + e.toolCallId(), e);
      } else if ("assistant".equals(e.role())) {
        lastAssistant.merge(e.turnId(), 1, Integer::sum);
      }
    }
    Map<String, Integer> users = new HashMap<>();
    Map<String, TranscriptEntry.ToolCall> calls = new HashMap<>();
    List<ObjectNode> items = new ArrayList<>();
    for (TranscriptEntry e : transcript) {
      switch (e.role()) {
        case "user" -> {
          int j = users.merge(e.turnId(), 1, Integer::sum) - 1;
          items.add(userMessage(e.turnId(), j, e.content()));
        }
        case "assistant" -> {
          int k = assistants.merge(e.turnId(), 1, Integer::sum) - 1;
          boolean last = e.toolCalls().isEmpty() && k == lastAssistant.get(e.turnId()) - 1;
          if (e.content() != null && !e.content().isEmpty()) {
            items.add(assistantMessage(e.turnId(), k, e.content(), last, "completed"));
          }
          for (TranscriptEntry.ToolCall call : e.toolCalls()) {
            calls.put(e.turnId() + "\n" + call.id(), call);
            TranscriptEntry out = outcomes.get(e.turnId() + "\n" + call.id());
            items.add(
                call(
                    e.turnId(),
                    call,
                    mcpLabels,
                    out == null ? null : out.outcome(),
                    out == null ? null : out.content()));
          }
        }
        case "tool" -> {
          TranscriptEntry.ToolCall call = calls.get(e.turnId() + "\n" + e.toolCallId());
          boolean mcp = call != null && isMcp(call.name(), mcpLabels);
          if (!mcp && !"in_doubt".equals(e.outcome())) {
            items.add(callOutput(e.turnId(), e.toolCallId(), e.outcome(), e.content()));
          }
        }
        default -> {
          // no other role
        }
      }
    }
    return items;
  }

  /**
   * A result as the transcript keeps it (JSON text) as an output shows it: a JSON string as its
   * text (a client's output is usually one), anything else as the JSON.
   */
  static String unquoted(String content) {
    if (content != null && content.length() >= 2 && content.startsWith("\"")) {
      try {
        JsonNode parsed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(content);
        if (parsed.isTextual()) {
          return parsed.textValue();
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
        // shown as it is
      }
    }
    return content;
  }
}
