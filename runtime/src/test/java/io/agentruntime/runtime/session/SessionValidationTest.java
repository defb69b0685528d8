package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.httpTool;
import static io.agentruntime.runtime.session.Fixtures.json;
import static io.agentruntime.runtime.session.Fixtures.mcpTool;
import static io.agentruntime.runtime.session.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rules on a session's inputs, with the field each refusal names. */
class SessionValidationTest {

  private static final SessionSettings SETTINGS =
      new SessionSettings(
          100,
          2,
          new Limits(8, 600, 0, null),
          50,
          20,
          3,
          16,
          3,
          2,
          Duration.ofSeconds(10),
          100,
          Duration.ZERO,
          true,
          1,
          Duration.ofMinutes(5),
          1024 * 1024,
          100,
          Duration.ofSeconds(30),
          8L << 20,
          256,
          Duration.ofMinutes(20));
  private final SessionValidation validation = new SessionValidation(SETTINGS);

  private static void assertRefused(Optional<Problem> problem, Problem.Kind kind, String field) {
    assertTrue(problem.isPresent(), "expected a refusal naming " + field);
    assertEquals(kind, problem.get().kind(), problem.get()::toString);
    assertEquals(field, problem.get().field(), problem.get()::toString);
    assertTrue(problem.get().message().startsWith(field + " "), problem.get()::message);
  }

  @Test
  void aSmallValidSpecPasses() {
    SessionSpec spec =
        new SessionSpec(
            new AgentDefinition("Be brief.", "gpt-4o.mini:2024", new Limits(1, 1, 0, null)),
            List.of(httpTool("send_email"), mcpTool("files")),
            new PermissionPolicy(Map.of("*", Permission.ALLOW, "files__search", Permission.ASK)),
            Map.of("user.name:first", json("\"Ada\"")),
            Map.of("team", "support"));
    assertEquals(Optional.empty(), validation.spec(spec));
  }

  @Test
  void sessionIdsAreShortSafeNames() {
    assertTrue(SessionValidation.SESSION_ID.matcher("abc-DEF_123").matches());
    assertTrue(SessionValidation.SESSION_ID.matcher("x".repeat(64)).matches());
    for (String bad : List.of("", "x".repeat(65), "a:b", "a/b", "a b", "é")) {
      assertFalse(SessionValidation.SESSION_ID.matcher(bad).matches(), bad);
    }
  }

  @Test
  void theAgentIsChecked() {
    assertRefused(
        validation.agent(
            new AgentDefinition("x".repeat(51), "default", new Limits(8, 600, 0, null))),
        Problem.Kind.TOO_LARGE,
        "agent.instructions");
    assertRefused(
        validation.agent(new AgentDefinition("hi", "bad model", new Limits(8, 600, 0, null))),
        Problem.Kind.INVALID,
        "agent.model");
    assertRefused(
        validation.agent(new AgentDefinition("hi", null, new Limits(8, 600, 0, null))),
        Problem.Kind.INVALID,
        "agent.model");
    assertRefused(
        validation.agent(new AgentDefinition(null, "default", new Limits(8, 600, 0, null))),
        Problem.Kind.INVALID,
        "agent.instructions");
    assertRefused(
        validation.agent(new AgentDefinition("hi", "default", new Limits(0, 600, 0, null))),
        Problem.Kind.INVALID,
        "agent.limits.maxStepsPerTurn");
    assertRefused(
        validation.agent(new AgentDefinition("hi", "default", new Limits(1001, 600, 0, null))),
        Problem.Kind.INVALID,
        "agent.limits.maxStepsPerTurn");
    assertRefused(
        validation.agent(new AgentDefinition("hi", "default", new Limits(8, 86_401, 0, null))),
        Problem.Kind.INVALID,
        "agent.limits.maxTurnSeconds");
    assertRefused(
        validation.spec(
            new SessionSpec(null, List.of(), PermissionPolicy.empty(), Map.of(), Map.of())),
        Problem.Kind.INVALID,
        "agent");
  }

  @Test
  void toolsInASpecAreNamedByTheirPosition() {
    assertRefused(
        validation.tools(
            List.of(
                httpTool("a"),
                new ToolConnection.Http("b", "mailto:x@y", null, null, false, null))),
        Problem.Kind.INVALID,
        "tools[1].url");
    assertRefused(
        validation.tools(List.of(httpTool("a"), httpTool("b"), httpTool("a"))),
        Problem.Kind.INVALID,
        "tools[2].name");
    assertRefused(
        validation.tools(List.of(httpTool("a"), httpTool("b"), httpTool("c"), httpTool("d"))),
        Problem.Kind.TOO_LARGE,
        "tools");
  }

  @Test
  void aToolNeedsASafeNameAnHttpUrlAndASecretNameNotASecret() {
    assertEquals(Optional.empty(), validation.tool(httpTool("x".repeat(64)), ""));
    assertRefused(validation.tool(httpTool("x".repeat(65)), ""), Problem.Kind.INVALID, "name");
    assertRefused(validation.tool(mcpTool("a__b"), ""), Problem.Kind.INVALID, "name");
    assertEquals(Optional.empty(), validation.tool(httpTool("a__b"), ""));
    for (String builtIn : List.of("memory_read", "memory_write", "memory_delete")) {
      assertRefused(validation.tool(mcpTool(builtIn), ""), Problem.Kind.INVALID, "name");
    }
    assertEquals(
        Optional.empty(),
        validation.tool(
            new ToolConnection.Mcp("m", "https://mcp.example.com:8443/mcp", null, null), ""));
    assertRefused(
        validation.tool(
            new ToolConnection.Mcp("m", "https://user:pw@mcp.example.com/mcp", null, null), ""),
        Problem.Kind.INVALID,
        "url");
    assertRefused(
        validation.tool(new ToolConnection.Http("t", "http://x", null, null, false, "a b"), ""),
        Problem.Kind.INVALID,
        "secretRef");
    assertRefused(
        validation.tool(
            new ToolConnection.Http("t", "http://x", null, json("\"schema\""), false, null), ""),
        Problem.Kind.INVALID,
        "parameters");
    assertRefused(validation.tool(null, "tools[0]."), Problem.Kind.INVALID, "tools[0]");
  }

  @Test
  void aPolicyNamesToolsOrTheWildcard() {
    assertEquals(
        Optional.empty(),
        validation.permissions(
            new PermissionPolicy(Map.of("*", Permission.DENY, "srv__tool", Permission.ASK)),
            "tools"));
    assertRefused(
        validation.permissions(
            new PermissionPolicy(Map.of("**", Permission.DENY)), "permissions.tools"),
        Problem.Kind.INVALID,
        "permissions.tools");
    assertRefused(
        validation.permissions(new PermissionPolicy(Map.of("", Permission.DENY)), "tools"),
        Problem.Kind.INVALID,
        "tools");
    assertRefused(validation.permissions(null, "tools"), Problem.Kind.INVALID, "tools");
  }

  @Test
  void memoryIsBoundedInEntriesKeysAndValueSize() {
    assertEquals(
        Optional.empty(),
        validation.memoryEntry("k", json("\"" + "x".repeat(14) + "\""), "memory."));
    assertRefused(
        validation.memoryEntry("k", json("\"" + "x".repeat(15) + "\""), "memory."),
        Problem.Kind.TOO_LARGE,
        "memory.k");
    assertRefused(
        validation.memoryEntry("a/b", json("1"), "memory."), Problem.Kind.INVALID, "memory.a/b");
    assertRefused(validation.memoryEntry("k", null, "memory."), Problem.Kind.INVALID, "memory.k");
    assertRefused(
        validation.memoryEntry(
            "k", com.fasterxml.jackson.databind.node.MissingNode.getInstance(), "memory."),
        Problem.Kind.INVALID,
        "memory.k");
    assertEquals(Optional.empty(), validation.memoryEntry("k", json("null"), "memory."));
    assertRefused(
        validation.memoryEntry("k".repeat(129), json("1"), "memory."),
        Problem.Kind.INVALID,
        "memory." + "k".repeat(40) + "...");
    Map<String, com.fasterxml.jackson.databind.JsonNode> four = new HashMap<>();
    for (int i = 0; i < 4; i++) {
      four.put("k" + i, json("1"));
    }
    assertRefused(validation.memory(four), Problem.Kind.TOO_LARGE, "memory");
  }

  @Test
  void memoryValuesNestAtMostSixtyFourLevelsSoThatTheyFitInRepliesAndEvents() {
    assertEquals(0, SessionValidation.depth(json("1")));
    assertEquals(3, SessionValidation.depth(json("[{\"a\": [1]}, 2]")));
    assertEquals(1000, SessionValidation.depth(json("[".repeat(1000) + "]".repeat(1000))));
    assertRefused(
        validation.memoryEntry("k", json("[".repeat(65) + "]".repeat(65)), "memory."),
        Problem.Kind.TOO_LARGE,
        "memory.k");
  }

  @Test
  void metadataIsBounded() {
    assertEquals(Optional.empty(), validation.metadata(Map.of("a", "x".repeat(4096), "b", "")));
    assertRefused(
        validation.metadata(Map.of("a", "1", "b", "2", "c", "3")),
        Problem.Kind.TOO_LARGE,
        "metadata");
    assertRefused(
        validation.metadata(Map.of("a", "x".repeat(4097))), Problem.Kind.TOO_LARGE, "metadata.a");
  }

  @Test
  void aMessageIsNotEmptyAndNotTooLong() {
    assertEquals(Optional.empty(), validation.message("x".repeat(20)));
    assertRefused(validation.message("x".repeat(21)), Problem.Kind.TOO_LARGE, "content");
    assertRefused(validation.message(" \t\n"), Problem.Kind.INVALID, "content");
    assertRefused(validation.message(null), Problem.Kind.INVALID, "content");
  }

  @Test
  void aSpecReportsItsFirstProblemInFieldOrder() {
    SessionSpec twoProblems =
        new SessionSpec(
            new AgentDefinition("hi", "bad model", new Limits(8, 600, 0, null)),
            List.of(mcpTool("a__b")),
            PermissionPolicy.empty(),
            Map.of(),
            Map.of());
    assertRefused(validation.spec(twoProblems), Problem.Kind.INVALID, "agent.model");
    assertRefused(validation.spec(spec()), Problem.Kind.TOO_LARGE, "memory.prefs");
  }
}
