package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.BOB;
import static io.agentruntime.runtime.session.Fixtures.OPERATOR;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.session.SessionEvent.*;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The session's lifecycle rules as a table, without an actor: a state made from events, one change,
 * and the events decided (by type) or the refusal. An empty decision is a no-op, answered with the
 * session as it is.
 */
class SessionRulesTest {

  private static final Instant T0 = Fixtures.T0;
  private static final Instant LATER = T0.plusSeconds(60);

  private static final Config CONFIG =
      ConfigFactory.parseString(
              """
              agent-runtime.session.max-memory-entries = 3
              agent-runtime.session.max-tools = 2
              """)
          .withFallback(ConfigFactory.load());
  private static final SessionSettings SETTINGS = SessionSettings.fromConfig(CONFIG);

  /** Models: {@code default} only; hosts: everything but {@code evil.example}. */
  private static final SessionRules RULES =
      new SessionRules(
          SETTINGS,
          new TurnMachine(SETTINGS, TurnSettings.fromConfig(CONFIG)),
          () -> Set.of("default"),
          tool ->
              tool.url().contains("evil.example")
                  ? Optional.of("evil.example is not allowed")
                  : Optional.empty());

  private static SessionState fold(SessionState s, SessionEvent... events) {
    for (SessionEvent e : events) {
      s = s.apply(e);
    }
    return s;
  }

  private static SessionSpec spec() {
    return new SessionSpec(
        Fixtures.agent("Be brief."),
        List.of(Fixtures.httpTool("send_email")),
        new PermissionPolicy(Map.of("*", Permission.ALLOW)),
        Map.of("user_name", json("\"Ada\""), "prefs", json("{}")),
        Map.of());
  }

  private static SessionState open() {
    return fold(SessionState.empty(), new SessionCreated(new Owner("acme", "ada"), spec(), T0));
  }

  private static SessionState running() {
    return fold(
        open(),
        new UserMessageAccepted("t1", "hi", null, "ada", T0),
        new TurnStarted("t1", T0),
        new UserMessageAccepted("t2", "then", null, "ada", T0));
  }

  private static SessionState closed() {
    return fold(open(), new SessionClosed("ada", T0));
  }

  private static SessionState suspended() {
    return fold(running(), new SessionSuspended("olga", "incident", T0));
  }

  private static SessionState erased() {
    return fold(open(), new SessionErased(2, "olga", T0));
  }

  private static ToolConnection tool(String name, String url) {
    return new ToolConnection.Http(name, url, "", null, false, null);
  }

  private static Function<SessionState, Decision> create(
      Caller by, SessionSpec spec, CreateMode mode) {
    return s -> RULES.create(s, "acme", "s1", by, spec, mode, LATER);
  }

  private record Row(
      String name,
      SessionState given,
      Function<SessionState, Decision> change,
      List<Class<? extends SessionEvent>> events,
      String refusal) {}

  private static Row row(
      String name,
      SessionState given,
      Function<SessionState, Decision> change,
      List<Class<? extends SessionEvent>> events) {
    return new Row(name, given, change, events, null);
  }

  private static Row noOp(
      String name, SessionState given, Function<SessionState, Decision> change) {
    return new Row(name, given, change, List.of(), null);
  }

  private static Row refused(
      String name, SessionState given, Function<SessionState, Decision> change, String code) {
    return new Row(name, given, change, List.of(), code);
  }

  private static List<Row> table() {
    SessionSpec unknownModel =
        new SessionSpec(
            new AgentDefinition("x", "gpt-9", null),
            List.of(),
            PermissionPolicy.empty(),
            Map.of(),
            Map.of());
    SessionSpec evilHost =
        new SessionSpec(
            Fixtures.agent("x"),
            List.of(tool("t", "http://evil.example/x")),
            PermissionPolicy.empty(),
            Map.of(),
            Map.of());
    SessionSpec withFunction =
        new SessionSpec(
            Fixtures.agent("x"),
            List.of(
                new ToolConnection.Function(
                    "weather", "The weather", json("{\"type\":\"object\"}"))),
            PermissionPolicy.empty(),
            Map.of(),
            Map.of());
    SessionSpec functionWithBadSchema =
        new SessionSpec(
            Fixtures.agent("x"),
            List.of(new ToolConnection.Function("weather", "The weather", json("[1]"))),
            PermissionPolicy.empty(),
            Map.of(),
            Map.of());
    return List.of(
        row(
            "create with a function the client runs: no URL, no host to check",
            SessionState.empty(),
            create(ADA, withFunction, CreateMode.CREATE_NEW),
            List.of(SessionCreated.class)),
        refused(
            "create with a function whose parameters are no schema object",
            SessionState.empty(),
            create(ADA, functionWithBadSchema, CreateMode.CREATE_NEW),
            "invalid_field"),
        row(
            "connect a function the client runs",
            open(),
            s ->
                RULES.connectTool(
                    s, ADA, new ToolConnection.Function("weather", null, null), LATER),
            List.of(ToolConnected.class)),
        // create
        row(
            "create a new session",
            SessionState.empty(),
            create(ADA, spec(), CreateMode.CREATE_NEW),
            List.of(SessionCreated.class)),
        refused(
            "create over an existing session (POST)",
            open(),
            create(ADA, spec(), CreateMode.CREATE_NEW),
            "session_exists"),
        noOp(
            "create the same session again (PUT): as it is",
            open(),
            create(ADA, spec(), CreateMode.CREATE_OR_MATCH)),
        refused(
            "create another owner's session (PUT)",
            open(),
            create(BOB, spec(), CreateMode.CREATE_OR_MATCH),
            "session_exists"),
        refused(
            "create over an erased id",
            erased(),
            create(ADA, spec(), CreateMode.CREATE_NEW),
            "session_erased"),
        refused(
            "create with a model this server does not have",
            SessionState.empty(),
            create(ADA, unknownModel, CreateMode.CREATE_NEW),
            "invalid_field"),
        refused(
            "create with a tool on a host that is not allowed",
            SessionState.empty(),
            create(ADA, evilHost, CreateMode.CREATE_NEW),
            "host_not_allowed"),
        // close, terminate
        row(
            "close: the running and queued turns are cancelled first",
            running(),
            s -> RULES.close(s, ADA, "the session was closed", LATER),
            List.of(TurnCancelled.class, TurnCancelled.class, SessionClosed.class)),
        noOp("close a closed session", closed(), s -> RULES.close(s, ADA, "closed", LATER)),
        row(
            "terminate, as an operator",
            running(),
            s -> RULES.terminate(s, OPERATOR, LATER),
            List.of(TurnCancelled.class, TurnCancelled.class, SessionClosed.class)),
        refused(
            "terminate, not an operator",
            running(),
            s -> RULES.terminate(s, ADA, LATER),
            "role_missing"),
        // suspend, resume
        row(
            "suspend",
            running(),
            s -> RULES.suspend(s, OPERATOR, "incident", LATER),
            List.of(SessionSuspended.class)),
        noOp("suspend a suspended session", suspended(), s -> RULES.suspend(s, OPERATOR, null, T0)),
        refused(
            "suspend, not an operator",
            running(),
            s -> RULES.suspend(s, ADA, null, LATER),
            "role_missing"),
        refused(
            "suspend a closed session",
            closed(),
            s -> RULES.suspend(s, OPERATOR, null, LATER),
            "session_closed"),
        refused(
            "suspend a closed session, not an operator: the role first",
            closed(),
            s -> RULES.suspend(s, ADA, null, LATER),
            "role_missing"),
        row(
            "resume",
            suspended(),
            s -> RULES.resume(s, OPERATOR, LATER),
            List.of(SessionResumed.class)),
        row(
            "resume with a queued turn and none running: it starts",
            fold(open(), new SessionSuspended("olga", null, T0), userMessage("t1")),
            s -> RULES.resume(s, OPERATOR, LATER),
            List.of(SessionResumed.class, TurnStarted.class)),
        noOp(
            "resume a session that is not suspended",
            running(),
            s -> RULES.resume(s, OPERATOR, T0)),
        // erase
        row(
            "erase: the tombstone",
            open(),
            s -> RULES.erase(s, OPERATOR, LATER),
            List.of(SessionErased.class)),
        refused("erase, not an operator", open(), s -> RULES.erase(s, ADA, LATER), "role_missing"),
        // memory
        row(
            "write memory",
            open(),
            s -> RULES.writeMemory(s, ADA, "k", json("1"), LATER),
            List.of(MemoryWritten.class)),
        row(
            "overwrite a key of a full memory",
            fold(open(), new MemoryWritten("k", json("1"), "ada", T0)),
            s -> RULES.writeMemory(s, ADA, "k", json("2"), LATER),
            List.of(MemoryWritten.class)),
        refused(
            "write a new key to a full memory",
            fold(open(), new MemoryWritten("k", json("1"), "ada", T0)),
            s -> RULES.writeMemory(s, ADA, "k2", json("2"), LATER),
            "too_large"),
        refused(
            "write a bad key",
            open(),
            s -> RULES.writeMemory(s, ADA, "a key", json("1"), LATER),
            "invalid_field"),
        refused(
            "write memory of a closed session",
            closed(),
            s -> RULES.writeMemory(s, ADA, "k", json("1"), LATER),
            "session_closed"),
        row(
            "delete memory",
            open(),
            s -> RULES.deleteMemory(s, ADA, "prefs", LATER),
            List.of(MemoryDeleted.class)),
        refused(
            "delete a key that is not there",
            open(),
            s -> RULES.deleteMemory(s, ADA, "nope", LATER),
            "memory_key_not_found"),
        // tools
        row(
            "connect a tool",
            open(),
            s -> RULES.connectTool(s, ADA, tool("lookup", "http://tools.internal/l"), LATER),
            List.of(ToolConnected.class)),
        refused(
            "connect a tool on a host that is not allowed",
            open(),
            s -> RULES.connectTool(s, ADA, tool("lookup", "http://evil.example/l"), LATER),
            "host_not_allowed"),
        refused(
            "connect a tool past the limit",
            fold(open(), new ToolConnected(tool("lookup", "http://a/l"), "ada", T0)),
            s -> RULES.connectTool(s, ADA, tool("third", "http://tools.internal/t"), LATER),
            "too_large"),
        row(
            "replace a tool at the limit (an operator: it moves to another url)",
            fold(open(), new ToolConnected(tool("lookup", "http://a/l"), "ada", T0)),
            s -> RULES.connectTool(s, OPERATOR, tool("lookup", "http://tools.internal/t"), LATER),
            List.of(ToolConnected.class)),
        refused(
            "a user retargets a tool (url)",
            open(),
            s -> RULES.connectTool(s, ADA, tool("send_email", "http://tools.internal/x"), LATER),
            "forbidden"),
        refused(
            "a user changes a tool's secretRef",
            open(),
            s ->
                RULES.connectTool(
                    s,
                    ADA,
                    new ToolConnection.Http(
                        "send_email",
                        Fixtures.httpTool("send_email").url(),
                        "",
                        null,
                        false,
                        "PAY"),
                    LATER),
            "forbidden"),
        refused(
            "a user makes a tool idempotent",
            open(),
            s ->
                RULES.connectTool(
                    s,
                    ADA,
                    new ToolConnection.Http(
                        "send_email",
                        Fixtures.httpTool("send_email").url(),
                        "",
                        null,
                        true,
                        Fixtures.httpTool("send_email").secretRef()),
                    LATER),
            "forbidden"),
        refused(
            "a user turns an HTTP tool into an MCP server of the same url",
            open(),
            s ->
                RULES.connectTool(
                    s,
                    ADA,
                    new ToolConnection.Mcp(
                        "send_email",
                        Fixtures.httpTool("send_email").url(),
                        List.of(),
                        Fixtures.httpTool("send_email").secretRef()),
                    LATER),
            "forbidden"),
        row(
            "a user describes a tool anew, where it goes unchanged",
            open(),
            s ->
                RULES.connectTool(
                    s,
                    ADA,
                    new ToolConnection.Http(
                        "send_email",
                        Fixtures.httpTool("send_email").url(),
                        "new words",
                        null,
                        false,
                        Fixtures.httpTool("send_email").secretRef()),
                    LATER),
            List.of(ToolConnected.class)),
        row(
            "disconnect a tool",
            open(),
            s -> RULES.disconnectTool(s, ADA, "send_email", LATER),
            List.of(ToolDisconnected.class)),
        refused(
            "disconnect a tool that is not there",
            open(),
            s -> RULES.disconnectTool(s, ADA, "nope", LATER),
            "tool_not_found"),
        refused(
            "connect a tool to a closed session",
            closed(),
            s -> RULES.connectTool(s, ADA, tool("lookup", "http://tools.internal/l"), LATER),
            "session_closed"),
        // permissions
        row(
            "change the permissions",
            open(),
            s ->
                RULES.changePermissions(
                    s, ADA, new PermissionPolicy(Map.of("*", Permission.ASK)), LATER),
            List.of(PermissionsChanged.class)),
        refused(
            "a user loosens a tool (ask -> allow)",
            fold(open(), permissions(Map.of("send_email", Permission.ASK, "*", Permission.ASK))),
            s ->
                RULES.changePermissions(
                    s,
                    ADA,
                    new PermissionPolicy(
                        Map.of("*", Permission.ASK, "send_email", Permission.ALLOW)),
                    LATER),
            "forbidden"),
        refused(
            "a user loosens the default (deny -> ask), which every unnamed tool has",
            fold(open(), permissions(Map.of("*", Permission.DENY))),
            s -> RULES.changePermissions(s, ADA, PermissionPolicy.empty(), LATER),
            "forbidden"),
        refused(
            "a user drops a deny, leaving the tool to a looser default",
            fold(open(), permissions(Map.of("wipe", Permission.DENY, "*", Permission.ASK))),
            s ->
                RULES.changePermissions(
                    s, ADA, new PermissionPolicy(Map.of("*", Permission.ASK)), LATER),
            "forbidden"),
        refused(
            "a user allows a built-in tool the policy asks about",
            fold(open(), permissions(Map.of("memory_write", Permission.ASK))),
            s -> RULES.changePermissions(s, ADA, PermissionPolicy.empty(), LATER),
            "forbidden"),
        row(
            "a user tightens every tool and the default",
            fold(open(), permissions(Map.of("send_email", Permission.ASK, "*", Permission.ALLOW))),
            s ->
                RULES.changePermissions(
                    s,
                    ADA,
                    new PermissionPolicy(
                        Map.of(
                            "send_email",
                            Permission.DENY,
                            "memory_write",
                            Permission.ASK,
                            "*",
                            Permission.ASK)),
                    LATER),
            List.of(PermissionsChanged.class)),
        row(
            "an operator loosens",
            fold(open(), permissions(Map.of("*", Permission.DENY))),
            s ->
                RULES.changePermissions(
                    s, OPERATOR, new PermissionPolicy(Map.of("*", Permission.ALLOW)), LATER),
            List.of(PermissionsChanged.class)),
        refused(
            "change the permissions of a closed session",
            closed(),
            s -> RULES.changePermissions(s, ADA, PermissionPolicy.empty(), LATER),
            "session_closed"),
        row(
            "replace the agent's model and the metadata",
            open(),
            s ->
                RULES.updateSession(
                    s,
                    ADA,
                    new AgentDefinition("Be brief.", "scripted", new Limits(4, 60, 0, null)),
                    Map.of("team", "core"),
                    LATER),
            List.of(SessionEvent.SessionUpdated.class)),
        row(
            "replace only the metadata",
            open(),
            s -> RULES.updateSession(s, ADA, null, Map.of(), LATER),
            List.of(SessionEvent.SessionUpdated.class)),
        refused(
            "metadata with a value that is no string",
            open(),
            s -> {
              Map<String, String> bad = new java.util.HashMap<>();
              bad.put("team", null);
              return RULES.updateSession(s, ADA, null, bad, LATER);
            },
            "invalid_field"),
        refused(
            "update a closed session",
            closed(),
            s -> RULES.updateSession(s, ADA, null, Map.of("a", "b"), LATER),
            "session_closed"));
  }

  private static PermissionsChanged permissions(Map<String, Permission> tools) {
    return new PermissionsChanged(new PermissionPolicy(tools), "olga", T0);
  }

  private static UserMessageAccepted userMessage(String turnId) {
    return new UserMessageAccepted(turnId, "hi", null, "ada", T0);
  }

  @TestFactory
  Stream<DynamicTest> everyRule() {
    return table().stream()
        .map(
            row ->
                DynamicTest.dynamicTest(
                    row.name(),
                    () -> {
                      Decision d = row.change().apply(row.given());
                      assertEquals(
                          row.events(),
                          d.events().stream().map(Object::getClass).toList(),
                          d::toString);
                      assertEquals(
                          row.refusal(),
                          d.refused() ? d.refusal().code() : null,
                          () -> String.valueOf(d.refusal()));
                    }));
  }

  @Test
  void anAgentWithoutBudgetsGetsTheConfiguredOnesJournaled() {
    SessionSpec noLimits =
        new SessionSpec(
            new AgentDefinition("x", "default", null),
            List.of(),
            PermissionPolicy.empty(),
            Map.of(),
            Map.of());
    Decision d = create(ADA, noLimits, CreateMode.CREATE_NEW).apply(SessionState.empty());
    SessionCreated created = (SessionCreated) d.events().get(0);
    assertEquals(SETTINGS.defaultLimits(), created.spec().agent().limits());
    assertEquals(new Owner("acme", "ada"), created.owner());
  }

  @Test
  void whatACallerHearsOfASessionItMayNotSee() {
    assertEquals("session_not_found", SessionRules.missing(open(), "s1").code());
    assertEquals("session_erased", SessionRules.missing(erased(), "s1").code());
  }

  @Test
  void theLifecycleHasFourPhases() {
    assertEquals(SessionPhase.NEW, SessionState.empty().phase());
    assertEquals(SessionPhase.OPEN, open().phase());
    assertEquals(SessionPhase.OPEN, suspended().phase());
    assertEquals(SessionPhase.CLOSED, closed().phase());
    assertEquals(SessionPhase.ERASED, erased().phase());
  }
}
