package io.agentruntime.http.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.runtime.session.AgentDefinition;
import io.agentruntime.runtime.session.Limits;
import io.agentruntime.runtime.session.Owner;
import io.agentruntime.runtime.session.PermissionPolicy;
import io.agentruntime.runtime.session.SessionEvent;
import io.agentruntime.runtime.session.SessionEvent.*;
import io.agentruntime.runtime.session.SessionStatus;
import io.agentruntime.runtime.session.SessionView;
import io.agentruntime.runtime.session.TranscriptEntry;
import io.agentruntime.runtime.session.Usage;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The journal as Agents-API events, table by table: what a client of the stream sees. */
class AgentEventMapperTest {

  private static final Instant AT = Instant.parse("2026-01-02T03:04:05Z");
  private static final String TURN = "turn_aa";
  private static final JsonNode ARGS = AgentConfig.JSON.objectNode().put("q", "x");

  private static SessionView view(List<ToolConnection> tools) {
    return new SessionView(
        "sess_1",
        new Owner("acme", "ada"),
        SessionStatus.IDLE,
        new AgentDefinition("", "default", new Limits(8, 600, 0, null)),
        AT,
        AT,
        1,
        null,
        0,
        Map.of(),
        tools,
        PermissionPolicy.empty(),
        Map.of(),
        0,
        Usage.NONE);
  }

  private static AgentEventMapper mapper() {
    SessionView v =
        view(List.of(new ToolConnection.Mcp("files", "http://127.0.0.1:9/mcp", List.of(), null)));
    return new AgentEventMapper(
        AgentObjects.session(v, List.of()),
        AgentObjects.mcpLabels(v.tools()),
        Set.of("lookup"),
        null);
  }

  /** Feeds {@code events} from sequence number 2 on; deltas are (turn, text) string pairs. */
  private static List<ObjectNode> run(AgentEventMapper m, Object... events) {
    List<ObjectNode> out = new ArrayList<>();
    long seq = 2;
    for (Object e : events) {
      if (e instanceof SessionEvent s) {
        out.addAll(m.journaled(seq++, s));
      } else {
        String[] delta = (String[]) e;
        out.addAll(m.delta(delta[0], delta[1]));
      }
    }
    return out;
  }

  private static List<String> types(List<ObjectNode> events) {
    return events.stream().map(e -> e.get("type").asText()).toList();
  }

  @Test
  void aTurnThatAnswersFollowsTheOrderOfSection43() {
    List<ObjectNode> out =
        run(
            mapper(),
            new UserMessageAccepted(TURN, "hi", null, "ada", AT),
            new TurnStarted(TURN, AT),
            new String[] {TURN, "echo: "},
            new String[] {TURN, "hi"},
            new AssistantReplied(TURN, 1, "echo: hi", List.of(), 3, 2, AT),
            new TurnCompleted(TURN, "echo: hi", AT));
    assertEquals(
        List.of(
            "agent.session.turn.created",
            "agent.session.in_progress",
            "agent.session.turn.in_progress",
            "agent.session.turn.item.added",
            "agent.session.turn.item.added",
            "agent.session.turn.content_part.added",
            "agent.session.turn.output_text.delta",
            "agent.session.turn.output_text.delta",
            "agent.session.turn.output_text.done",
            "agent.session.turn.content_part.done",
            "agent.session.turn.item.done",
            "agent.session.turn.completed",
            "agent.session.idle"),
        types(out));
    Set<String> ids = new HashSet<>();
    out.forEach(e -> assertTrue(ids.add(e.get("event_id").asText()), "twice: " + e));
    out.forEach(e -> assertFalse(e.has("error"), "a top-level error: " + e));
    assertEquals("queued", out.get(0).at("/turn/status").asText());
    assertEquals("user", out.get(3).at("/item/role").asText());
    assertTrue(out.get(3).get("output_index").isNull());
    ObjectNode done = out.get(10);
    assertEquals("echo: hi", done.at("/item/content/0/text").asText());
    assertEquals("final_answer", done.at("/item/phase").asText());
    assertEquals("completed", out.get(11).at("/turn/status").asText());
    assertEquals(5, out.get(12).at("/session/usage/total_tokens").asLong());
    assertEquals("idle", out.get(12).at("/session/status").asText());

    // The ids the stream gives its items are those the items list gives them.
    List<ObjectNode> items =
        AgentItems.of(
            List.of(
                new TranscriptEntry(2, TURN, "user", "hi", List.of(), null, null),
                new TranscriptEntry(5, TURN, "assistant", "echo: hi", List.of(), null, null)),
            Set.of());
    assertEquals(items.get(0).get("id"), out.get(3).at("/item/id"));
    assertEquals(items.get(1).get("id"), done.at("/item/id"));
  }

  @Test
  void toolCallsAreItemsAndAnApprovalMakesTheSessionRequireAction() {
    var mcp = new TranscriptEntry.ToolCall("call_1", "files__search", ARGS);
    var http = new TranscriptEntry.ToolCall("call_2", "send_email", ARGS);
    List<ObjectNode> out =
        run(
            mapper(),
            new UserMessageAccepted(TURN, "go", null, "ada", AT),
            new TurnStarted(TURN, AT),
            new AssistantReplied(TURN, 1, "", List.of(mcp, http), 1, 1, AT),
            new ApprovalRequested(
                "appr_1", TURN, "call_1", "files__search", ARGS, AT, AT, null, null, null),
            new ToolCallSucceeded(TURN, "call_2", AgentConfig.JSON.textNode("sent"), AT),
            new ApprovalGranted("appr_1", "ada", null, AT),
            new ToolCallSucceeded(TURN, "call_1", ARGS, AT),
            new AssistantReplied(TURN, 2, "done", List.of(), 1, 1, AT),
            new TurnCompleted(TURN, "done", AT));
    List<String> types = types(out);
    ObjectNode mcpAdded = out.get(4);
    assertEquals("mcp_call", mcpAdded.at("/item/type").asText());
    assertEquals("files", mcpAdded.at("/item/server_label").asText());
    assertEquals("search", mcpAdded.at("/item/name").asText());
    assertEquals("function_call", out.get(5).at("/item/type").asText());
    ObjectNode waiting = out.get(6);
    assertEquals("agent.session.requires_action", waiting.get("type").asText());
    assertEquals("requires_action", waiting.at("/session/status").asText());
    JsonNode action = waiting.at("/session/required_actions/0");
    assertEquals("mcp_approval_request", action.get("type").asText());
    assertEquals("appr_1", action.get("request_id").asText());
    assertEquals("search", action.at("/request/name").asText());
    assertEquals("function_call", out.get(7).at("/item/type").asText());
    assertEquals("completed", out.get(7).at("/item/status").asText());
    assertEquals("function_call_output", out.get(8).at("/item/type").asText());
    assertEquals("sent", out.get(8).at("/item/output").asText());
    assertEquals("agent.session.in_progress", out.get(9).get("type").asText());
    assertEquals("mcp_call", out.get(10).at("/item/type").asText());
    assertEquals("completed", out.get(10).at("/item/status").asText());
    assertEquals(
        List.of("agent.session.turn.completed", "agent.session.idle"),
        types.subList(types.size() - 2, types.size()));
  }

  /** Decision 0039: a budget approval names no tool; the session requires action, then goes on. */
  @Test
  void aBudgetApprovalMakesTheSessionRequireActionUntilRaised() {
    List<ObjectNode> out =
        run(
            mapper(),
            new UserMessageAccepted(TURN, "go", null, "ada", AT),
            new TurnStarted(TURN, AT),
            new BudgetExceeded("appr_b", TURN, "tokens", 100, 120, AT, AT, null, null),
            new BudgetRaised("appr_b", 1000, "ada", null, AT, null));
    ObjectNode waiting =
        out.stream()
            .filter(e -> e.get("type").asText().equals("agent.session.requires_action"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no requires_action in " + out));
    JsonNode action = waiting.at("/session/required_actions/0");
    assertEquals(AgentObjects.BUDGET_ACTION, action.get("type").asText());
    assertEquals("appr_b", action.get("request_id").asText());
    assertEquals(120, action.at("/arguments/used").asLong());
    assertEquals("agent.session.in_progress", out.get(out.size() - 1).get("type").asText());
  }

  /** The cost budget's approval shows USD, not the token fields (0 for a cost budget). */
  @Test
  void aCostBudgetApprovalShowsItsLimitAndSpendInUsd() {
    List<ObjectNode> out =
        run(
            mapper(),
            new UserMessageAccepted(TURN, "go", null, "ada", AT),
            new TurnStarted(TURN, AT),
            new BudgetExceeded(
                "appr_c",
                TURN,
                "cost",
                0,
                0,
                AT,
                AT,
                new java.math.BigDecimal("0.50"),
                new java.math.BigDecimal("0.60")));
    JsonNode action =
        out.stream()
            .filter(e -> e.get("type").asText().equals("agent.session.requires_action"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no requires_action in " + out))
            .at("/session/required_actions/0");
    assertEquals("cost", action.at("/arguments/budget").asText());
    assertEquals(0.5, action.at("/arguments/limit").asDouble(), 1e-12);
    assertEquals(0.6, action.at("/arguments/used").asDouble(), 1e-12);
    assertEquals("maxSessionCost", action.at("/arguments/raise").asText());
  }

  @Test
  void aClientsCallIsAnnouncedOnceRegisteredAndItsResultResumesTheTurn() {
    var call = new TranscriptEntry.ToolCall("call_7", "lookup", ARGS);
    List<ObjectNode> out =
        run(
            mapper(),
            new UserMessageAccepted(TURN, "look", null, "ada", AT),
            new TurnStarted(TURN, AT),
            new AssistantReplied(TURN, 1, "", List.of(call), 1, 1, AT),
            new ClientToolCallRequested(TURN, "call_7", "lookup", ARGS, AT, AT),
            new UserMessageSteered(TURN, "and hurry", null, "ada", AT),
            new ToolCallSucceeded(TURN, "call_7", AgentConfig.JSON.textNode("sunny"), AT),
            new AssistantReplied(TURN, 2, "It is sunny.", List.of(), 1, 1, AT),
            new TurnCompleted(TURN, "It is sunny.", AT));
    List<String> types = types(out);
    assertEquals(
        List.of(
            "agent.session.turn.created",
            "agent.session.in_progress",
            "agent.session.turn.in_progress",
            "agent.session.turn.item.added",
            "agent.session.turn.item.added",
            "agent.session.requires_action",
            "agent.session.turn.item.added",
            "agent.session.turn.item.done",
            "agent.session.turn.item.added",
            "agent.session.in_progress"),
        types.subList(0, 10));
    assertEquals("function_call", out.get(4).at("/item/type").asText());
    assertEquals("in_progress", out.get(4).at("/item/status").asText());
    JsonNode action = out.get(5).at("/session/required_actions/0");
    assertEquals("function_call", action.get("type").asText());
    assertEquals("call_7", action.get("call_id").asText());
    assertEquals(TURN, action.get("turn_id").asText());
    assertEquals("msg_aa_u1", out.get(6).at("/item/id").asText());
    assertEquals("and hurry", out.get(6).at("/item/content/0/text").asText());
    assertEquals("completed", out.get(7).at("/item/status").asText());
    assertEquals("sunny", out.get(8).at("/item/output").asText());
    assertEquals(0, out.get(9).at("/session/required_actions").size());
    assertEquals(
        List.of("agent.session.turn.completed", "agent.session.idle"),
        types.subList(types.size() - 2, types.size()));
  }

  @Test
  void aCancelledTurnEndsCancelledThenIdleAndAQueuedTurnKeepsTheSessionInProgress() {
    String next = "turn_bb";
    List<ObjectNode> out =
        run(
            mapper(),
            new UserMessageAccepted(TURN, "one", null, "ada", AT),
            new TurnStarted(TURN, AT),
            new UserMessageAccepted(next, "two", null, "ada", AT),
            new TurnCancelled(TURN, "cancelled by ada", "ada", AT),
            new TurnStarted(next, AT),
            new TurnFailed(next, "model_unavailable", "down", AT));
    assertEquals(
        List.of(
            "agent.session.turn.created",
            "agent.session.in_progress",
            "agent.session.turn.in_progress",
            "agent.session.turn.item.added",
            "agent.session.turn.created",
            "agent.session.turn.cancelled",
            "agent.session.in_progress",
            "agent.session.turn.in_progress",
            "agent.session.turn.item.added",
            "agent.session.turn.failed",
            "agent.session.idle"),
        types(out));
    assertEquals("cancelled", out.get(5).at("/turn/status").asText());
    assertTrue(out.get(5).at("/turn/completed_at").isNumber());
    assertEquals("model_unavailable", out.get(9).at("/turn/error/code").asText());
  }

  @Test
  void aCreateStreamStartsWithCreatedAndKnowsWhenTheFirstTurnSettled() {
    AgentEventMapper m = mapper();
    List<ObjectNode> created =
        m.journaled(1, new SessionCreated(new Owner("acme", "ada"), null, AT));
    assertEquals("agent.session.created", created.get(0).get("type").asText());
    assertFalse(m.turnSettled());
    run(
        m,
        new UserMessageAccepted(TURN, "hi", null, "ada", AT),
        new TurnStarted(TURN, AT),
        new TurnCompleted(TURN, "x", AT));
    assertTrue(m.turnSettled());
  }
}
