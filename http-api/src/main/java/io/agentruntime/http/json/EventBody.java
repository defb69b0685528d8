package io.agentruntime.http.json;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.runtime.session.PermissionPolicy;
import io.agentruntime.runtime.session.SessionEvent;
import io.agentruntime.runtime.session.SessionEvent.*;
import io.agentruntime.runtime.session.SessionSpec;
import io.agentruntime.runtime.session.TranscriptEntry;
import java.time.Instant;

/**
 * The {@code data:} of one journaled event on the SSE stream: a JSON object mapped field by field,
 * so that what clients see is chosen here and never follows the journal's shape by accident.
 * Idempotency keys stay out (they are the clients' and the tools' business). Every object has
 * {@code at}; an event type this mapping does not know yet shows only that.
 */
public final class EventBody {

  private EventBody() {}

  public static ObjectNode of(SessionEvent event) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    if (event instanceof SessionCreated e) {
      o.putPOJO("owner", SessionBody.OwnerBody.of(e.owner()));
      created(o, e.spec());
    } else if (event instanceof SessionClosed e) {
      o.put("by", e.by());
    } else if (event instanceof SessionSuspended e) {
      o.put("by", e.by()).put("reason", e.reason());
    } else if (event instanceof SessionResumed e) {
      o.put("by", e.by());
    } else if (event instanceof SessionErased e) {
      o.put("by", e.by());
    } else if (event instanceof MemoryWritten e) {
      o.put("key", e.key()).set("value", e.value());
      o.put("by", e.by());
    } else if (event instanceof MemoryDeleted e) {
      o.put("key", e.key()).put("by", e.by());
    } else if (event instanceof ToolConnected e) {
      o.putPOJO("tool", ToolBody.of(e.tool()));
      o.put("by", e.by());
    } else if (event instanceof ToolDisconnected e) {
      o.put("name", e.name()).put("by", e.by());
    } else if (event instanceof PermissionsChanged e) {
      o.set("permissions", permissions(e.permissions()));
      o.put("by", e.by());
    } else if (event instanceof SessionEvent.SessionUpdated e) {
      if (e.agent() != null) {
        o.put("model", e.agent().model());
      }
      if (e.metadata() != null) {
        o.putPOJO("metadata", e.metadata());
      }
      o.put("by", e.by());
    } else if (event instanceof UserMessageAccepted e) {
      o.put("turnId", e.turnId()).put("content", e.content()).put("by", e.by());
      if (e.source() != null) {
        o.put("source", e.source());
      }
    } else if (event instanceof UserMessageSteered e) {
      o.put("turnId", e.turnId()).put("content", e.content()).put("by", e.by());
    } else if (event instanceof ClientToolCallRequested e) {
      call(o, e.turnId(), e.toolCallId()).put("tool", e.tool()).set("arguments", e.arguments());
      o.put("expiresAt", time(e.expiresAt()));
    } else if (event instanceof TurnStarted e) {
      o.put("turnId", e.turnId());
    } else if (event instanceof AssistantReplied e) {
      o.put("turnId", e.turnId()).put("step", e.step()).put("content", e.text());
      o.set("toolCalls", toolCalls(e));
      o.put("inputTokens", e.inputTokens()).put("outputTokens", e.outputTokens());
      if (e.costUsd() != null) {
        o.put("costUsd", SessionBody.usd(e.costUsd()));
      }
    } else if (event instanceof ToolCallStarted e) {
      call(o, e.turnId(), e.toolCallId()).put("tool", e.tool()).set("arguments", e.arguments());
      if (e.definition() != null) {
        o.putPOJO("connection", ApprovalBody.ConnectionBody.of(e.definition()));
      }
    } else if (event instanceof ToolCallSucceeded e) {
      call(o, e.turnId(), e.toolCallId()).set("result", e.result());
    } else if (event instanceof ToolCallFailed e) {
      call(o, e.turnId(), e.toolCallId()).put("code", e.code()).put("message", e.message());
    } else if (event instanceof ToolCallRejected e) {
      call(o, e.turnId(), e.toolCallId()).put("reason", e.reason());
    } else if (event instanceof ToolCallCancelled e) {
      call(o, e.turnId(), e.toolCallId()).put("reason", e.reason());
    } else if (event instanceof ToolCallInDoubt e) {
      call(o, e.turnId(), e.toolCallId())
          .put("approvalId", e.approvalId())
          .put("expiresAt", time(e.expiresAt()));
      if (e.reason() != null) {
        o.put("reason", e.reason());
      }
    } else if (event instanceof ApprovalRequested e) {
      o.put("approvalId", e.approvalId());
      call(o, e.turnId(), e.toolCallId()).put("tool", e.tool()).set("arguments", e.arguments());
      o.put("expiresAt", time(e.expiresAt()));
      if (e.definition() != null) {
        o.putPOJO("connection", ApprovalBody.ConnectionBody.of(e.definition()));
      }
    } else if (event instanceof ApprovalGranted e) {
      o.put("approvalId", e.approvalId()).put("by", e.by()).put("comment", e.comment());
    } else if (event instanceof ApprovalDenied e) {
      o.put("approvalId", e.approvalId()).put("by", e.by()).put("comment", e.comment());
    } else if (event instanceof ApprovalExpired e) {
      o.put("approvalId", e.approvalId());
    } else if (event instanceof SessionEvent.BudgetExceeded e) {
      o.put("approvalId", e.approvalId()).put("turnId", e.turnId()).put("budget", e.budget());
      if (e.limitUsd() != null && e.usedUsd() != null) {
        o.put("limit", SessionBody.usd(e.limitUsd())).put("used", SessionBody.usd(e.usedUsd()));
      } else {
        o.put("limit", e.limit()).put("used", e.used());
      }
      o.put("expiresAt", time(e.expiresAt()));
    } else if (event instanceof SessionEvent.BudgetRaised e) {
      o.put("approvalId", e.approvalId());
      if (e.raisedCost()) {
        o.put("maxSessionCost", SessionBody.usd(e.maxSessionCost()));
      } else {
        o.put("maxSessionTokens", e.maxSessionTokens());
      }
      o.put("by", e.by()).put("comment", e.comment());
    } else if (event instanceof ApprovalWithdrawn e) {
      o.put("approvalId", e.approvalId()).put("reason", e.reason()).put("by", e.by());
    } else if (event instanceof InDoubtResolved e) {
      o.put("approvalId", e.approvalId())
          .put("decision", e.decision())
          .put("by", e.by())
          .put("comment", e.comment());
    } else if (event instanceof TurnCompleted e) {
      o.put("turnId", e.turnId()).put("output", e.output());
    } else if (event instanceof TurnFailed e) {
      o.put("turnId", e.turnId()).put("code", e.code()).put("message", e.message());
    } else if (event instanceof TurnEnding e) {
      o.put("turnId", e.turnId()).put("code", e.code()).put("reason", e.reason()).put("by", e.by());
    } else if (event instanceof TurnCancelled e) {
      o.put("turnId", e.turnId()).put("reason", e.reason()).put("by", e.by());
    }
    o.put("at", time(event.at()));
    return o;
  }

  /** A piece of the model's text as it streams: {@code {"turnId", "text"}}. */
  public static ObjectNode delta(String turnId, String text) {
    return Json.MAPPER.createObjectNode().put("turnId", turnId).put("text", text);
  }

  private static void created(ObjectNode o, SessionSpec spec) {
    SessionBody.LimitsBody limits = SessionBody.LimitsBody.of(spec.agent().limits());
    o.putPOJO(
        "agent",
        new SessionBody.AgentBody(spec.agent().instructions(), spec.agent().model(), limits));
    o.putPOJO("tools", spec.tools().stream().map(ToolBody::of).toList());
    o.set("permissions", permissions(spec.permissions()));
    ObjectNode memory = o.putObject("memory");
    spec.memory().forEach(memory::set);
    ObjectNode metadata = o.putObject("metadata");
    spec.metadata().forEach(metadata::put);
  }

  private static ObjectNode permissions(PermissionPolicy policy) {
    ObjectNode permissions = Json.MAPPER.createObjectNode();
    permissions.set("tools", Json.MAPPER.valueToTree(PermissionsRequest.wire(policy)));
    return permissions;
  }

  private static ArrayNode toolCalls(AssistantReplied e) {
    ArrayNode calls = Json.MAPPER.createArrayNode();
    for (TranscriptEntry.ToolCall c : e.toolCalls()) {
      calls.addObject().put("id", c.id()).put("name", c.name()).set("arguments", c.arguments());
    }
    return calls;
  }

  private static ObjectNode call(ObjectNode o, String turnId, String toolCallId) {
    return o.put("turnId", turnId).put("toolCallId", toolCallId);
  }

  private static String time(Instant at) {
    return SessionBody.time(at);
  }
}
