package io.agentruntime.http.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.runtime.session.Permission;
import io.agentruntime.runtime.session.SessionStatus;
import io.agentruntime.runtime.session.TranscriptEntry;
import io.agentruntime.runtime.session.TurnStatus;
import io.agentruntime.runtime.tools.ToolConnection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pure parts of the Agents API's wire shapes, table by table. */
class AgentWireShapesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode json(String text) {
    try {
      return (ObjectNode) JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static ObjectNode agent(String request) {
    return AgentConfig.apply(
        AgentConfig.defaults(), json(request), "", m -> Set.of("default", "stall").contains(m));
  }

  @ParameterizedTest(name = "{0} -> 400 param {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"model\": \"gpt-9\"} | model",
        "{\"model\": 5} | model",
        "{\"service_tier\": \"turbo\"} | service_tier",
        "{\"reasoning\": {\"effort\": \"huge\"}} | reasoning.effort",
        "{\"multi_agent\": {\"enabled\": true}} | multi_agent.enabled",
        "{\"metadata\": {\"k\": 1}} | metadata.k",
        "{\"tools\": [{\"type\": \"web_search\"}]} | tools[0].type",
        "{\"tools\": [{\"type\": \"computer_use\"}]} | tools[0].type",
        "{\"tools\": [{\"type\": \"function\"}]} | tools[0].name",
        "{\"tools\": [{\"type\": \"mcp\", \"server_label\": \"f\", \"transport\": {\"type\": \"stdio\"}}]} | tools[0].transport.type",
        "{\"tools\": [{\"type\": \"mcp\", \"server_label\": \"f\", \"transport\": {\"type\": \"http\", \"server_url\": \"http://x\", \"headers\": {\"a\": \"b\"}}}]} | tools[0].transport.headers",
        "{\"tools\": [{\"type\": \"mcp\", \"server_label\": \"f\", \"require_approval\": \"always\", \"transport\": {\"type\": \"http\", \"server_url\": \"http://x\"}}]} | tools[0].require_approval",
        "{\"tools\": [{\"type\": \"function\", \"name\": \"a\"}, {\"type\": \"function\", \"name\": \"a\"}]} | tools[1]"
      })
  void badAgentFieldsAreRefusedNamingTheField(String request, String param) {
    ApiError e = assertThrows(ApiError.class, () -> agent(request));
    assertEquals(400, e.status().intValue());
    assertEquals(param, e.param(), e.getMessage());
  }

  @Test
  void anAgentEchoesItsResolvedDefaultsAndMapsItsToolsOntoOurs() {
    ObjectNode a =
        agent(
            """
            {"model": "default", "unknown": 1, "tools": [
              {"type": "function", "name": "lookup"},
              {"type": "mcp", "server_label": "files", "allowed_tools": ["search"],
               "require_approval": "always",
               "transport": {"type": "http", "server_url": "http://127.0.0.1:9/mcp"}},
              {"type": "x-agent-runtime-http", "name": "send", "url": "http://127.0.0.1:9/s",
               "idempotent": true}]}
            """);
    assertEquals("auto", a.get("service_tier").asText());
    assertEquals("medium", a.at("/text/verbosity").asText());
    assertEquals("text", a.at("/text/format/type").asText());
    assertTrue(a.at("/reasoning/effort").isNull());
    assertTrue(a.get("instructions").isNull());
    assertTrue(!a.has("unknown"));
    List<ToolConnection> ours = AgentTools.connections(a.get("tools"));
    assertEquals(3, ours.size());
    assertEquals("lookup", ((ToolConnection.Function) ours.get(0)).name());
    assertEquals(
        new ToolConnection.Mcp("files", "http://127.0.0.1:9/mcp", List.of("search"), null),
        ours.get(1));
    assertTrue(((ToolConnection.Http) ours.get(2)).idempotent());
    var permissions = AgentTools.permissions(a.get("tools"));
    assertEquals(Permission.ASK, permissions.get("files__search"));
    assertEquals(Permission.ALLOW, permissions.get("*"));

    ObjectNode updated =
        AgentConfig.apply(a, json("{\"reasoning\": null, \"name\": \"n\"}"), "", m -> true);
    assertEquals("n", updated.get("name").asText());
    assertEquals(3, updated.get("tools").size());
  }

  @ParameterizedTest(name = "{0} / {1}")
  @CsvSource({
    "IDLE, idle",
    "RUNNING, in_progress",
    "AWAITING_APPROVAL, requires_action",
    "SUSPENDED, failed"
  })
  void sessionStatuses(SessionStatus ours, String theirs) {
    assertEquals(theirs, AgentObjects.status(ours));
  }

  @ParameterizedTest(name = "{0} / {1}")
  @CsvSource({
    "QUEUED, queued",
    "RUNNING, in_progress",
    "AWAITING_APPROVAL, waiting",
    "COMPLETED, completed",
    "FAILED, failed",
    "CANCELLED, cancelled"
  })
  void turnStatuses(TurnStatus ours, String theirs) {
    assertEquals(theirs, AgentObjects.status(ours));
  }

  @Test
  void itemsOfATranscriptHaveStableIdsAndTheirKinds() {
    JsonNode args = json("{\"q\": 1}");
    List<ObjectNode> items =
        AgentItems.of(
            List.of(
                new TranscriptEntry(2, "turn_t", "user", "find", List.of(), null, null),
                new TranscriptEntry(
                    4,
                    "turn_t",
                    "assistant",
                    "looking",
                    List.of(
                        new TranscriptEntry.ToolCall("c1", "files__search", args),
                        new TranscriptEntry.ToolCall("c2", "send", args)),
                    null,
                    null),
                new TranscriptEntry(
                    6, "turn_t", "tool", "{\"hits\":0}", List.of(), "c1", "succeeded"),
                new TranscriptEntry(7, "turn_t", "tool", "error (x): y", List.of(), "c2", "failed"),
                new TranscriptEntry(9, "turn_t", "assistant", "none", List.of(), null, null)),
            Set.of("files"));
    assertEquals(
        List.of(
            "message", "message", "mcp_call", "function_call", "function_call_output", "message"),
        items.stream().map(i -> i.get("type").asText()).toList());
    assertEquals(
        List.of("msg_t_u0", "msg_t_0", "mcp_t_c1", "fc_t_c2", "fco_t_c2", "msg_t_1"),
        items.stream().map(i -> i.get("id").asText()).toList());
    assertEquals("{\"hits\":0}", items.get(2).get("output").asText());
    assertEquals("failed", items.get(3).get("status").asText());
    assertEquals("error (x): y", items.get(4).get("error").asText());
    assertEquals("commentary", items.get(1).get("phase").asText());
    assertEquals("final_answer", items.get(5).get("phase").asText());
    items.forEach(i -> assertEquals("turn_t", i.get("turn_id").asText()));
  }

  @ParameterizedTest(name = "after {0} limit {1} order {2}: {3} more {4}")
  @CsvSource({
    "'', 2, desc, c b, true",
    "b, 2, desc, a, false",
    "'', 2, asc, a b, true",
    "b, 5, asc, c, false",
    "c, 5, asc, '', false"
  })
  void cursorPages(String after, String limit, String order, String ids, boolean more) {
    List<ObjectNode> abc =
        List.of("a", "b", "c").stream()
            .map(id -> AgentConfig.JSON.objectNode().put("id", id))
            .toList();
    ObjectNode page =
        CursorPage.of(Optional.of(after), Optional.of(limit), Optional.of(order)).over(abc);
    List<String> got = new java.util.ArrayList<>();
    page.get("data").forEach(d -> got.add(d.get("id").asText()));
    assertEquals(ids.isEmpty() ? List.of() : List.of(ids.split(" ")), got);
    assertEquals(more, page.get("has_more").asBoolean());
    assertEquals("list", page.get("object").asText());
    if (!got.isEmpty()) {
      assertEquals(got.get(got.size() - 1), page.get("last_id").asText());
      assertEquals(got.get(0), page.get("first_id").asText());
    }
  }

  @ParameterizedTest(name = "?{0}={1} -> 400")
  @CsvSource({"limit, 0", "limit, 101", "limit, x", "order, up"})
  void badPageQueriesAreRefused(String name, String value) {
    ApiError e =
        assertThrows(
            ApiError.class,
            () ->
                CursorPage.of(
                    Optional.empty(),
                    Optional.of(name.equals("limit") ? value : "20"),
                    Optional.of(name.equals("order") ? value : "desc")));
    assertEquals(name, e.param());
  }

  @Test
  void inputEventsAreReadWholeBeforeAnyActs() {
    List<InputEvent> events =
        InputEvent.read(
            json(
                """
                {"events": [
                  {"type": "agent.session.input.message", "input": [
                    {"role": "user", "content": [{"type": "input_text", "text": "a"},
                                                 {"type": "input_text", "text": "b"}]}]},
                  {"type": "agent.session.input.cancel"},
                  {"type": "agent.session.input.mcp_approval_request_result", "request_id": "r",
                   "response": {"type": "mcp_tool_call", "decision": "cancel"}}]}
                """));
    assertEquals(
        List.of(
            new InputEvent.Message("a\n\nb"),
            new InputEvent.Cancel(),
            new InputEvent.ApprovalResult("r", false)),
        events);
    ApiError image =
        assertThrows(
            ApiError.class,
            () ->
                InputEvent.read(
                    json(
                        "{\"events\": [{\"type\": \"agent.session.input.message\", \"input\": [{\"role\":"
                            + " \"user\", \"content\": [{\"type\": \"input_image\", \"image_url\": \"x\"}]}]}]}")));
    assertEquals("events[0].input[0].content[0].type", image.param());
    assertEquals(
        "events",
        assertThrows(ApiError.class, () -> InputEvent.read(json("{\"events\": []}"))).param());
  }

  @Test
  void aSessionMadeFromASavedAgentTakesTheInlineOverrides() {
    SessionCreate create =
        SessionCreate.read(
            json(
                "{\"agent_id\": \"agent_1\", \"agent\": {\"instructions\": \"Now terse.\"},"
                    + " \"environment\": {\"type\": \"none\"}, \"input\": \"go\", \"metadata\": {\"a\": \"b\"}}"));
    var saved =
        new io.agentruntime.runtime.agents.SavedAgent(
            "agent_1",
            agent("{\"model\": \"stall\", \"name\": \"saved\", \"instructions\": \"Be long.\"}"),
            java.time.Instant.EPOCH,
            java.time.Instant.EPOCH);
    ObjectNode profile = create.profile(Optional.of(saved), m -> true);
    assertEquals("agent_1", profile.get("id").asText());
    assertEquals("stall", profile.get("model").asText());
    assertEquals("Now terse.", profile.get("instructions").asText());
    assertEquals("saved", profile.get("name").asText());
    var spec = create.spec(profile, new io.agentruntime.runtime.session.Limits(8, 600, 0, null));
    assertEquals("Now terse.", spec.agent().instructions());
    assertEquals(profile, spec.agent().profile());
    assertEquals("b", spec.metadata().get("a"));
    assertEquals(Optional.of("go"), create.input());
    assertEquals(List.of(), spec.vaultIds());
    assertEquals(
        List.of("vault_1"),
        SessionCreate.read(json("{\"agent\": {\"model\": \"d\"}, \"vault_ids\": [\"vault_1\"]}"))
            .spec(profile, new io.agentruntime.runtime.session.Limits(8, 600, 0, null))
            .vaultIds());
    for (String bad : List.of("[1]", "[\"\"]", "\"vault_1\"")) {
      assertEquals(
          "vault_ids",
          assertThrows(
                  ApiError.class,
                  () ->
                      SessionCreate.read(
                          json("{\"agent\": {\"model\": \"d\"}, \"vault_ids\": " + bad + "}")),
                  bad)
              .param());
    }
  }
}
