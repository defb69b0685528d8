package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.json;

import com.fasterxml.jackson.databind.node.TextNode;
import io.agentruntime.runtime.model.ToolSpec;
import io.agentruntime.runtime.session.SessionEvent.ApprovalDenied;
import io.agentruntime.runtime.session.SessionEvent.ApprovalExpired;
import io.agentruntime.runtime.session.SessionEvent.ApprovalGranted;
import io.agentruntime.runtime.session.SessionEvent.ApprovalRequested;
import io.agentruntime.runtime.session.SessionEvent.ApprovalWithdrawn;
import io.agentruntime.runtime.session.SessionEvent.AssistantReplied;
import io.agentruntime.runtime.session.SessionEvent.InDoubtResolved;
import io.agentruntime.runtime.session.SessionEvent.MemoryDeleted;
import io.agentruntime.runtime.session.SessionEvent.MemoryWritten;
import io.agentruntime.runtime.session.SessionEvent.PermissionsChanged;
import io.agentruntime.runtime.session.SessionEvent.SessionClosed;
import io.agentruntime.runtime.session.SessionEvent.SessionCreated;
import io.agentruntime.runtime.session.SessionEvent.ToolCallCancelled;
import io.agentruntime.runtime.session.SessionEvent.ToolCallFailed;
import io.agentruntime.runtime.session.SessionEvent.ToolCallInDoubt;
import io.agentruntime.runtime.session.SessionEvent.ToolCallRejected;
import io.agentruntime.runtime.session.SessionEvent.ToolCallStarted;
import io.agentruntime.runtime.session.SessionEvent.ToolCallSucceeded;
import io.agentruntime.runtime.session.SessionEvent.ToolConnected;
import io.agentruntime.runtime.session.SessionEvent.ToolDisconnected;
import io.agentruntime.runtime.session.SessionEvent.TurnCancelled;
import io.agentruntime.runtime.session.SessionEvent.TurnCompleted;
import io.agentruntime.runtime.session.SessionEvent.TurnEnding;
import io.agentruntime.runtime.session.SessionEvent.TurnFailed;
import io.agentruntime.runtime.session.SessionEvent.TurnStarted;
import io.agentruntime.runtime.session.SessionEvent.UserMessageAccepted;
import io.agentruntime.runtime.tools.ToolConnection;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fixed sample values for serialization tests. The event samples are what the golden files under
 * {@code golden/events} were written from: never edit an existing sample, or the golden test no
 * longer proves that old journals still read. A new event type gets a new sample and file.
 */
final class Samples {

  static final Instant AT = Instant.parse("2025-03-04T05:06:07.890123Z");
  static final Owner OWNER = new Owner("acme", "ada");

  private Samples() {}

  static SessionSpec spec() {
    return new SessionSpec(
        new AgentDefinition(
            "You are a support agent.\nBe brief.", "default", new Limits(8, 600, 0, null)),
        List.of(
            new ToolConnection.Http(
                "send_email",
                "http://tools.internal/send_email",
                "Sends an e-mail",
                json(
                    "{\"type\":\"object\",\"required\":[\"to\"],\"properties\":{\"to\":{\"type\":\"string\"}}}"),
                false,
                "EMAIL_TOKEN"),
            new ToolConnection.Mcp(
                "files", "http://127.0.0.1:9000/mcp", List.of("search", "read_file"), null)),
        new PermissionPolicy(
            Map.of(
                "send_email",
                Permission.ASK,
                "delete_repo",
                Permission.DENY,
                "*",
                Permission.ALLOW)),
        Map.of("user_name", json("\"Ada\""), "visits", json("3")),
        Map.of("team", "support", "region", "eu"));
  }

  /** One sample of every event type, keyed by its class. */
  static Map<Class<? extends SessionEvent>, SessionEvent> events() {
    Map<Class<? extends SessionEvent>, SessionEvent> events = new LinkedHashMap<>();
    sessionEvents(events);
    turnEvents(events);
    operatorEvents(events);
    return events;
  }

  /**
   * An operator's controls of a session, the runtime's own marker, and a write's idempotency key
   * (not folded into the sample states).
   */
  private static void operatorEvents(Map<Class<? extends SessionEvent>, SessionEvent> events) {
    put(events, new SessionEvent.SessionSuspended("olga", "incident 7: tool vendor outage", AT));
    put(events, new SessionEvent.SessionResumed("olga", AT));
    put(events, new SessionEvent.SessionErased(42, "olga", AT));
    put(events, new SessionEvent.SessionPassivating(AT));
    put(
        events,
        new SessionEvent.IdempotencyKeyRecorded(
            "idem-43 ✓", "0123456789abcdef0123456789abcdef", AT));
  }

  /** The events of a session's own life, and of messages before turns ran. */
  private static void sessionEvents(Map<Class<? extends SessionEvent>, SessionEvent> events) {
    put(events, new SessionCreated(OWNER, spec(), AT));
    put(events, new SessionClosed("ada", AT));
    put(
        events,
        new MemoryWritten(
            "prefs",
            json(
                "{\"ratio\":0.5,\"count\":3,\"big\":12345678901,\"tiny\":-1.25E-3,"
                    + "\"tags\":[\"a\",null,true,false],\"text\":\"naïve ✓ 日本\",\"empty\":{}}"),
            "ada",
            AT));
    put(events, new MemoryDeleted("prefs", "bob", AT));
    put(
        events,
        new ToolConnected(
            new ToolConnection.Http(
                "lookup", "https://tools.internal/lookup", null, null, true, null),
            "ada",
            AT));
    put(events, new ToolDisconnected("lookup", "olga", AT));
    put(
        events,
        new PermissionsChanged(
            new PermissionPolicy(Map.of("*", Permission.ASK, "memory_write", Permission.DENY)),
            "ada",
            AT));
    put(
        events,
        new UserMessageAccepted(
            "turn_0a1b2c", "Summarise my open tickets ✓", "idem-42", "ada", AT));
    put(events, new TurnCancelled("turn_0a1b2c", "interrupted by a new message", "ada", AT));
  }

  /**
   * The call the model asks for in the turn samples, and the one it sent malformed arguments for.
   */
  static List<TranscriptEntry.ToolCall> toolCalls() {
    return List.of(
        new TranscriptEntry.ToolCall(
            "call_1", "send_email", json("{\"to\":\"bob@example.com\",\"body\":\"Hi ✓\"}")),
        new TranscriptEntry.ToolCall("call_2", "lookup", TextNode.valueOf("{\"q\": unquoted")));
  }

  /** The events of the agent loop, as one turn of a session would journal them. */
  private static void turnEvents(Map<Class<? extends SessionEvent>, SessionEvent> events) {
    String turn = "turn_3d4e5f";
    Instant expires = AT.plus(Duration.ofHours(24));
    put(events, new TurnStarted(turn, AT));
    put(
        events,
        new SessionEvent.UserMessageSteered(turn, "and in German, please ✓", "idem-43", "ada", AT));
    put(events, new AssistantReplied(turn, 1, "Let me check ✓", toolCalls(), 12345678901L, 42, AT));
    put(
        events,
        new ToolCallStarted(
            turn, "call_2", "lookup", json("{\"q\":\"tickets\",\"limit\":5}"), "idem_5f6a7b", AT));
    put(
        events,
        new ToolCallSucceeded(
            turn,
            "call_2",
            json(
                "{\"tickets\":[{\"id\":1,\"open\":true}],\"total\":1.5E3,\"note\":null,\"text\":\"naïve ✓\"}"),
            AT));
    put(
        events,
        new ToolCallFailed(turn, "call_2", "tool_http_error", "HTTP 502 from tools.internal", AT));
    put(events, new ToolCallRejected(turn, "call_1", "denied by ada: not now", AT));
    put(events, new ToolCallCancelled(turn, "call_2", "cancelled by ada", AT));
    put(events, new ToolCallInDoubt(turn, "call_2", "appr_9c8d7e", expires, AT, null, null));
    put(
        events,
        new SessionEvent.ClientToolCallRequested(
            turn,
            "call_1",
            "send_email",
            json("{\"to\":\"bob@example.com\",\"body\":\"Hi ✓\"}"),
            expires,
            AT));
    put(
        events,
        new ApprovalRequested(
            "appr_1a2b3c",
            turn,
            "call_1",
            "send_email",
            toolCalls().get(0).arguments(),
            expires,
            AT,
            null,
            null,
            null));
    put(events, new ApprovalGranted("appr_1a2b3c", "ada", "looks right", AT));
    put(events, new ApprovalDenied("appr_1a2b3c", "olga", null, AT));
    put(events, new ApprovalExpired("appr_1a2b3c", AT));
    put(
        events,
        new SessionEvent.BudgetExceeded(
            "appr_4d5e6f", turn, "tokens", 100000, 100412, expires, AT, null, null));
    put(
        events,
        new SessionEvent.BudgetRaised("appr_4d5e6f", 200000, "olga", "one more hour", AT, null));
    put(
        events,
        new ApprovalWithdrawn(
            "appr_1a2b3c", "the tool send_email changed while its approval waited", "olga", AT));
    put(events, new InDoubtResolved("appr_9c8d7e", "result", "ada", "it was sent", AT));
    put(events, new TurnEnding(turn, "cancelled", "cancelled by bob", "bob", AT));
    put(events, new TurnCompleted(turn, "Done: 2 tickets.", AT));
    put(
        events,
        new TurnFailed(
            turn, "step_budget_exhausted", "the model asked for more tools after 8 steps", AT));
    put(
        events,
        new SessionEvent.SessionUpdated(
            new AgentDefinition(
                "You are a support agent.", "scripted", new Limits(8, 600, 0, null)),
            Map.of("team", "core"),
            "ada",
            AT));
  }

  /**
   * Further frozen samples of shapes one sample per type does not cover, by golden file name: an
   * MCP connection with the tools discovered when it was connected; a started call and an approval
   * with the tool's definition journaled.
   */
  static Map<String, SessionEvent> variants() {
    Map<String, SessionEvent> variants = new LinkedHashMap<>();
    variants.put(
        "ToolCallInDoubt.with-reason",
        new ToolCallInDoubt(
            "turn_3d4e5f",
            "call_2",
            "appr_9c8d7e",
            AT.plus(Duration.ofHours(24)),
            AT,
            "the tool did not answer within PT30S",
            null));
    variants.put(
        "ToolConnected.mcp-with-tools",
        new ToolConnected(
            new ToolConnection.Mcp(
                "files",
                "http://127.0.0.1:9000/mcp",
                List.of(),
                "MCP_TOKEN",
                List.of(
                    new ToolSpec(
                        "files__search",
                        "Searches files",
                        json("{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}}")),
                    new ToolSpec("files__read_file", "", json("{\"type\":\"object\"}")))),
            "ada",
            AT));
    String turn = "turn_3d4e5f";
    variants.put(
        "ToolCallStarted.with-definition",
        new ToolCallStarted(
            turn,
            "call_2",
            "files__search",
            json("{\"q\":\"tickets\"}"),
            "idem_5f6a7b",
            AT,
            new ToolDefinition("mcp", "http://127.0.0.1:9000/mcp", "MCP_TOKEN", false)));
    variants.put(
        "ApprovalRequested.with-definition",
        new ApprovalRequested(
            "appr_1a2b3c",
            turn,
            "call_1",
            "send_email",
            toolCalls().get(0).arguments(),
            AT.plus(Duration.ofHours(24)),
            AT,
            new ToolDefinition("http", "http://tools.internal/send_email", "EMAIL_TOKEN", false),
            null,
            null));
    // What an expiry does, stated in the approval and the in-doubt question (decision 0036).
    variants.put(
        "ApprovalRequested.with-on-expiry",
        new ApprovalRequested(
            "appr_4d5e6f",
            turn,
            "call_1",
            "send_email",
            toolCalls().get(0).arguments(),
            AT.plus(Duration.ofHours(24)),
            AT,
            new ToolDefinition("http", "http://tools.internal/send_email", "EMAIL_TOKEN", false),
            Approval.ON_EXPIRY_FAIL,
            null));
    variants.put(
        "ToolCallInDoubt.with-on-expiry",
        new ToolCallInDoubt(
            turn,
            "call_2",
            "appr_7a8b9c",
            AT.plus(Duration.ofHours(24)),
            AT,
            "the tool did not answer within PT30S",
            Approval.ON_EXPIRY_FAIL));
    variants.put(
        "PermissionsChanged.with-on-expiry",
        new PermissionsChanged(
            new PermissionPolicy(
                Map.of("send_email", Permission.ASK, "*", Permission.ALLOW),
                Map.of("send_email", Approval.ON_EXPIRY_FAIL)),
            "ada",
            AT));
    SessionSpec spec = spec();
    variants.put(
        "SessionCreated.agents-api-profile",
        new SessionCreated(
            OWNER,
            new SessionSpec(
                new AgentDefinition(
                    spec.agent().instructions(),
                    spec.agent().model(),
                    spec.agent().limits(),
                    json(
                        "{\"id\":\"agent_1a2b\",\"model\":\"default\",\"name\":\"support\","
                            + "\"reasoning\":{\"effort\":null,\"summary\":null},"
                            + "\"service_tier\":\"auto\",\"tools\":[]}")),
                spec.tools(),
                spec.permissions(),
                spec.memory(),
                spec.metadata()),
            AT));
    // Cost budgets (decision 0039, "Cost"): a priced reply, a session with a cost limit, the cost
    // budget's pause and its raise.
    variants.put(
        "AssistantReplied.with-cost",
        new AssistantReplied(
            turn, 1, "Let me check ✓", toolCalls(), 1200, 300, AT, new BigDecimal("0.00036")));
    variants.put(
        "SessionCreated.with-cost-limit",
        new SessionCreated(
            OWNER,
            new SessionSpec(
                new AgentDefinition(
                    spec.agent().instructions(),
                    spec.agent().model(),
                    new Limits(8, 600, 100000, new BigDecimal("2.50"))),
                spec.tools(),
                spec.permissions(),
                spec.memory(),
                spec.metadata()),
            AT));
    variants.put(
        "BudgetExceeded.with-cost",
        new SessionEvent.BudgetExceeded(
            "appr_4d5e6f",
            turn,
            "cost",
            0,
            0,
            AT.plus(Duration.ofHours(24)),
            AT,
            new BigDecimal("2.50"),
            new BigDecimal("2.50036")));
    variants.put(
        "BudgetRaised.with-cost",
        new SessionEvent.BudgetRaised(
            "appr_4d5e6f", 0, "olga", "five more dollars", AT, new BigDecimal("7.5")));
    // A call held over its tenant's rate limit of the tool (decision 0046).
    variants.put(
        "ApprovalRequested.with-rate-limit",
        new ApprovalRequested(
            "appr_4d5e6f",
            turn,
            "call_1",
            "send_email",
            toolCalls().get(0).arguments(),
            AT.plus(Duration.ofHours(24)),
            AT,
            new ToolDefinition("http", "http://tools.internal/send_email", "EMAIL_TOKEN", false),
            Approval.ON_EXPIRY_DENY,
            io.agentruntime.runtime.ratelimits.RateLimitHit.over("hour", 10, 10)));
    return variants;
  }

  private static void put(Map<Class<? extends SessionEvent>, SessionEvent> events, SessionEvent e) {
    events.put(e.getClass(), e);
  }

  /** An idle session with a queued message: what the session samples fold into. */
  static SessionState state() {
    Map<Class<? extends SessionEvent>, SessionEvent> basics = new LinkedHashMap<>();
    sessionEvents(basics);
    SessionState s = SessionState.empty();
    for (SessionEvent e : basics.values()) {
      if (!(e instanceof SessionClosed)) {
        s = s.apply(e);
      }
    }
    return s.apply(
        new UserMessageAccepted("turn_3d4e5f", "and then?", null, "ada", AT.plusSeconds(1)));
  }

  /**
   * A session in the middle of a turn: one call waiting for approval, one running, one in doubt
   * after a restart, usage counted, the turn paused with its deadline.
   */
  static SessionState busyState() {
    String turn = "turn_3d4e5f";
    Instant expires = AT.plus(Duration.ofHours(24));
    List<TranscriptEntry.ToolCall> calls =
        List.of(
            toolCalls().get(0),
            new TranscriptEntry.ToolCall("call_2", "lookup", json("{\"q\":\"tickets\"}")),
            new TranscriptEntry.ToolCall("call_3", "files__search", json("{}")));
    return state()
        .apply(new TurnStarted(turn, AT.plusSeconds(2)))
        .apply(new AssistantReplied(turn, 1, "", calls, 100, 20, AT.plusSeconds(3)))
        .apply(
            new ApprovalRequested(
                "appr_1a2b3c",
                turn,
                "call_1",
                "send_email",
                calls.get(0).arguments(),
                expires,
                AT.plusSeconds(3),
                null,
                null,
                null))
        .apply(
            new ToolCallStarted(
                turn,
                "call_2",
                "lookup",
                calls.get(1).arguments(),
                "idem_5f6a7b",
                AT.plusSeconds(3)))
        .apply(
            new ToolCallStarted(
                turn,
                "call_3",
                "files__search",
                calls.get(2).arguments(),
                "idem_8a9b0c",
                AT.plusSeconds(3)))
        .apply(
            new ToolCallInDoubt(
                turn, "call_3", "appr_9c8d7e", expires, AT.plusSeconds(4), null, null));
  }

  static SessionView view() {
    return SessionView.of("s-1", state());
  }

  static Turn cancelledTurn() {
    return new Turn(
        "turn_0a1b2c",
        TurnStatus.CANCELLED,
        2,
        null,
        new TurnError("cancelled", "stop"),
        AT,
        AT.plusSeconds(9));
  }

  static Turn completedTurn() {
    return new Turn(
        "turn_3d4e5f", TurnStatus.COMPLETED, 3, "Done: 2 tickets.", null, AT, AT.plusSeconds(20));
  }

  static TranscriptEntry toolCallEntry() {
    return new TranscriptEntry(
        7,
        "turn_3d4e5f",
        "assistant",
        null,
        List.of(new TranscriptEntry.ToolCall("call_1", "send_email", json("{\"to\":\"a@b.c\"}"))),
        null,
        null);
  }

  static TranscriptEntry toolResultEntry() {
    return new TranscriptEntry(
        8, "turn_3d4e5f", "tool", "{\"sent\":true}", null, "call_1", "succeeded");
  }
}
