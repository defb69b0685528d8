package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.httpTool;
import static io.agentruntime.runtime.session.Fixtures.json;
import static io.agentruntime.runtime.session.Fixtures.mcpTool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.agentruntime.runtime.session.SessionCommand.ChangePermissions;
import io.agentruntime.runtime.session.SessionCommand.ConnectTool;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.session.SessionCommand.CreateSession;
import io.agentruntime.runtime.session.SessionCommand.DeleteMemory;
import io.agentruntime.runtime.session.SessionCommand.DisconnectTool;
import io.agentruntime.runtime.session.SessionCommand.WriteMemory;
import io.agentruntime.runtime.session.SessionEvent.MemoryDeleted;
import io.agentruntime.runtime.session.SessionEvent.MemoryWritten;
import io.agentruntime.runtime.session.SessionEvent.PermissionsChanged;
import io.agentruntime.runtime.session.SessionEvent.ToolConnected;
import io.agentruntime.runtime.session.SessionEvent.ToolDisconnected;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Memory, tool connections and permissions of an open session (limits: 3 entries, 3 tools). */
class SessionEntityChangesTest extends SessionEntityTestSupport {

  private Instant now;

  SessionEntityChangesTest() {
    super(SMALL_LIMITS);
  }

  @BeforeEach
  void created() {
    createSession();
    now = clock.advance(Duration.ofSeconds(30));
  }

  @Test
  void writingMemoryStoresAnyJsonValue() {
    var result = run(r -> new WriteMemory(ADA, "plan", json("{\"steps\":[1,2.5,\"three\"]}"), r));

    assertEquals(
        List.of(new MemoryWritten("plan", json("{\"steps\":[1,2.5,\"three\"]}"), "ada", now)),
        result.events());
    SessionView view = current(result.reply());
    assertEquals(json("{\"steps\":[1,2.5,\"three\"]}"), view.memory().get("plan"));
    assertEquals(json("\"Ada\""), view.memory().get("user_name"));
    assertEquals(now, view.updatedAt());
    assertEquals(2, view.lastSeq());
  }

  @Test
  void aWriteReachedOnlyAfterItsAskerGaveUpIsDroppedUnanswered() {
    SessionState before = kit.getState();
    var asker = testKit.<SessionReply>createTestProbe();
    var late =
        kit.runCommand(
            new SessionCommand.Expiring(
                new WriteMemory(ADA, "late", json("1"), asker.ref()), clock.millis() - 1));
    assertEquals(List.of(), late.events(), "the client was told 503: nothing may be accepted");
    assertEquals(before, late.state());
    asker.expectNoMessage(Duration.ofMillis(100));

    var inTime =
        run(
            r ->
                new SessionCommand.Expiring(
                    new WriteMemory(ADA, "early", json("1"), r), clock.millis() + 60_000));
    assertEquals(json("1"), current(inTime.reply()).memory().get("early"));
  }

  @Test
  void aKeyedWriteJournalsItsKeyAndARepeatChangesNothing() {
    String fp = RequestKeys.fingerprint("memory.put", "ada", "k", "1");
    var first =
        run(r -> new SessionCommand.Keyed(new WriteMemory(ADA, "k", json("1"), r), "key-1", fp));
    assertEquals(
        List.of(
            new MemoryWritten("k", json("1"), "ada", now),
            new SessionEvent.IdempotencyKeyRecorded("key-1", fp, now)),
        first.events());

    run(r -> new WriteMemory(ADA, "k", json("2"), r));
    var repeat =
        run(r -> new SessionCommand.Keyed(new WriteMemory(ADA, "k", json("1"), r), "key-1", fp));
    assertEquals(List.of(), repeat.events(), "the repeat journals nothing");
    assertEquals(json("2"), current(repeat.reply()).memory().get("k"), "the session as it is");

    String other = RequestKeys.fingerprint("memory.put", "ada", "k", "3");
    assertProblem(
        refused(
            r -> new SessionCommand.Keyed(new WriteMemory(ADA, "k", json("3"), r), "key-1", other)),
        Problem.Kind.CONFLICT,
        "idempotency_key_reused",
        null);
  }

  @Test
  void overwritingAKeyReplacesItsValue() {
    var result = run(r -> new WriteMemory(ADA, "user_name", json("\"Ada L.\""), r));
    assertEquals(json("\"Ada L.\""), current(result.reply()).memory().get("user_name"));
    assertEquals(2, current(result.reply()).memory().size());
  }

  @Test
  void aFullMemoryTakesNoNewKeyButStillAnUpdate() {
    run(r -> new WriteMemory(ADA, "third", json("3"), r));
    assertProblem(
        refused(r -> new WriteMemory(ADA, "fourth", json("4"), r)),
        Problem.Kind.TOO_LARGE,
        "too_large",
        "memory");
    var update = run(r -> new WriteMemory(ADA, "third", json("33"), r));
    assertEquals(json("33"), current(update.reply()).memory().get("third"));
  }

  @Test
  void aValueOverTheSizeLimitIsRefused() {
    String big = "\"" + "x".repeat(settings.maxMemoryValueBytes()) + "\"";
    assertProblem(
        refused(r -> new WriteMemory(ADA, "notes", json(big), r)),
        Problem.Kind.TOO_LARGE,
        "too_large",
        "memory.notes");
  }

  @Test
  void anInvalidKeyIsRefusedNamingTheField() {
    Problem problem = refused(r -> new WriteMemory(ADA, "no spaces", json("1"), r));
    assertProblem(problem, Problem.Kind.INVALID, "invalid_field", "memory.no spaces");
  }

  @Test
  void deletingAKeyRemovesIt() {
    var result = run(r -> new DeleteMemory(ADA, "user_name", r));
    assertEquals(List.of(new MemoryDeleted("user_name", "ada", now)), result.events());
    assertFalse(current(result.reply()).memory().containsKey("user_name"));
  }

  @Test
  void deletingAnAbsentKeyIsNotFound() {
    assertProblem(
        refused(r -> new DeleteMemory(ADA, "nothing_here", r)),
        Problem.Kind.NOT_FOUND,
        "memory_key_not_found",
        "key");
  }

  @Test
  void connectingAToolAddsIt() {
    var result = run(r -> new ConnectTool(ADA, httpTool("search"), r));
    assertEquals(List.of(new ToolConnected(httpTool("search"), "ada", now)), result.events());
    assertEquals(
        List.of(mcpTool("files"), httpTool("search"), httpTool("send_email")),
        current(result.reply()).tools());
  }

  @Test
  void connectingUnderATakenNameReplacesTheTool() {
    ToolConnection.Mcp files =
        new ToolConnection.Mcp("files", "https://mcp.internal/files", List.of(), "FILES");
    // An operator: the connection goes elsewhere now, which the owner alone may not change.
    var result = run(r -> new ConnectTool(Fixtures.OPERATOR, files, r));
    assertEquals(List.of(new ToolConnected(files, "olga", now)), result.events());
    assertEquals(List.of(files, httpTool("send_email")), current(result.reply()).tools());
  }

  @Test
  void aSessionHoldsNoMoreToolsThanTheLimit() {
    run(r -> new ConnectTool(ADA, httpTool("search"), r));
    assertProblem(
        refused(r -> new ConnectTool(ADA, httpTool("one_too_many"), r)),
        Problem.Kind.TOO_LARGE,
        "too_large",
        "tools");
  }

  @Test
  void invalidToolsAreRefusedNamingTheField() {
    for (String url :
        new String[] {"ftp://tools.internal/x", "/relative", "not a url", "http:///nohost", null}) {
      ToolConnection tool = new ToolConnection.Http("t", url, null, null, false, null);
      assertProblem(
          refused(r -> new ConnectTool(ADA, tool, r)),
          Problem.Kind.INVALID,
          "invalid_field",
          "url");
    }
    assertProblem(
        refused(r -> new ConnectTool(ADA, httpTool("memory_write"), r)),
        Problem.Kind.INVALID,
        "invalid_field",
        "name");
    assertProblem(
        refused(r -> new ConnectTool(ADA, mcpTool("git__hub"), r)),
        Problem.Kind.INVALID,
        "invalid_field",
        "name");
    assertProblem(
        refused(r -> new ConnectTool(ADA, httpTool("bad name"), r)),
        Problem.Kind.INVALID,
        "invalid_field",
        "name");
    assertProblem(
        refused(
            r ->
                new ConnectTool(
                    ADA, new ToolConnection.Http(null, "http://x", null, null, false, null), r)),
        Problem.Kind.INVALID,
        "invalid_field",
        "name");
    assertProblem(
        refused(
            r ->
                new ConnectTool(
                    ADA,
                    new ToolConnection.Http("t", "http://x", null, json("[1]"), false, null),
                    r)),
        Problem.Kind.INVALID,
        "invalid_field",
        "parameters");
    assertProblem(
        refused(
            r ->
                new ConnectTool(
                    ADA,
                    new ToolConnection.Http("t", "http://x", null, null, false, "not a ref"),
                    r)),
        Problem.Kind.INVALID,
        "invalid_field",
        "secretRef");
  }

  @Test
  void anHttpToolMayContainDoubleUnderscores() {
    var result = run(r -> new ConnectTool(ADA, httpTool("send__mail"), r));
    assertEquals(1, result.events().size());
  }

  @Test
  void aSpecNamingAToolTwiceIsRefused() {
    kit.clear();
    SessionSpec twice = Fixtures.specWithTools(List.of(httpTool("a"), mcpTool("b"), httpTool("a")));
    assertProblem(
        refused(r -> new CreateSession(ADA, twice, CreateMode.CREATE_NEW, r)),
        Problem.Kind.INVALID,
        "invalid_field",
        "tools[2].name");
  }

  @Test
  void disconnectingAToolRemovesIt() {
    var result = run(r -> new DisconnectTool(ADA, "files", r));
    assertEquals(List.of(new ToolDisconnected("files", "ada", now)), result.events());
    assertEquals(List.of(httpTool("send_email")), current(result.reply()).tools());
  }

  @Test
  void disconnectingAnUnknownToolIsNotFound() {
    assertProblem(
        refused(r -> new DisconnectTool(ADA, "nope", r)),
        Problem.Kind.NOT_FOUND,
        "tool_not_found",
        "name");
  }

  @Test
  void changingPermissionsReplacesTheWholePolicy() {
    PermissionPolicy policy = new PermissionPolicy(Map.of("delete_repo", Permission.DENY));
    var result = run(r -> new ChangePermissions(ADA, policy, r));

    assertEquals(List.of(new PermissionsChanged(policy, "ada", now)), result.events());
    PermissionPolicy shown = current(result.reply()).permissions();
    assertEquals(policy, shown);
    assertEquals(Permission.ASK, shown.decide("send_email"));
  }

  @Test
  void aPolicyNamingAnInvalidToolIsRefused() {
    PermissionPolicy bad = new PermissionPolicy(Map.of("send email", Permission.ALLOW));
    assertProblem(
        refused(r -> new ChangePermissions(ADA, bad, r)),
        Problem.Kind.INVALID,
        "invalid_field",
        "tools");
    assertProblem(
        refused(r -> new ChangePermissions(ADA, null, r)),
        Problem.Kind.INVALID,
        "invalid_field",
        "tools");
  }
}
