package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.model.ToolSpec;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.session.SessionCommand.CreateSession;
import io.agentruntime.runtime.session.SessionEvent.AssistantReplied;
import io.agentruntime.runtime.session.SessionEvent.ToolCallCancelled;
import io.agentruntime.runtime.session.SessionEvent.ToolCallFailed;
import io.agentruntime.runtime.session.SessionEvent.ToolCallRejected;
import io.agentruntime.runtime.session.SessionEvent.ToolCallSucceeded;
import io.agentruntime.runtime.tools.ToolConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;

/**
 * The agent loop on one session entity: a session with a tool of every kind, the fake model and
 * tools moved on by hand, and after every test the transcript's promise checked: every tool call
 * the model asked for ends with exactly one outcome (one at most while its turn still runs).
 */
abstract class AgentLoopTestSupport extends SessionEntityTestSupport {

  /** Ada on her own session, with the approver role. */
  static final Caller ADA_APPROVER = new Caller("ada", false, true);

  /** Tools of every kind, and a policy that asks for send_email and denies delete_repo. */
  static SessionSpec loopSpec(Limits limits) {
    return new SessionSpec(
        new AgentDefinition("You are a helpful assistant.", "default", limits),
        List.of(
            http("lookup", true),
            http("send_email", false),
            http("charge_card", false),
            http("delete_repo", false),
            new ToolConnection.Mcp(
                "files",
                "http://127.0.0.1:9000/mcp",
                List.of("search"),
                null,
                List.of(
                    new ToolSpec(
                        "files__search", "Searches files", json("{\"type\":\"object\"}"))))),
        new PermissionPolicy(
            Map.of(
                "send_email",
                Permission.ASK,
                "delete_repo",
                Permission.DENY,
                "*",
                Permission.ALLOW)),
        Map.of("user_name", json("\"Ada\"")),
        Map.of());
  }

  static ToolConnection.Http http(String name, boolean idempotent) {
    return new ToolConnection.Http(
        name, "http://tools.internal/" + name, "Calls " + name, null, idempotent, null);
  }

  private int seen;

  /** What the last {@link #send} journaled. */
  List<SessionEvent> sent = List.of();

  AgentLoopTestSupport() {
    super("");
  }

  AgentLoopTestSupport(String config) {
    super(config);
  }

  void create() {
    create(new Limits(8, 600, 0, null));
  }

  void create(Limits limits) {
    create(loopSpec(limits));
  }

  void create(SessionSpec spec) {
    assertInstanceOf(
        SessionReply.Created.class,
        run(r -> new CreateSession(ADA, spec, CreateMode.CREATE_NEW, r)).reply());
    seen = journal().size();
  }

  /**
   * Sends a message as Ada (queued behind a running turn) and returns the turn it opened; the
   * events it journaled are in {@link #sent} and no longer new.
   */
  Turn send(String content) {
    return send(content, OnBusy.QUEUE);
  }

  Turn send(String content, OnBusy onBusy) {
    var result = run(r -> new SessionCommand.SendUserMessage(ADA, content, onBusy, null, r));
    sent = result.events();
    seen = journal().size();
    return assertInstanceOf(SessionReply.TurnAccepted.class, result.reply()).turn();
  }

  Turn turn(String turnId) {
    return kit.getState().turn(turnId).orElseThrow();
  }

  /** The events journaled since the last look. */
  List<SessionEvent> newEvents() {
    List<SessionEvent> all = journal();
    List<SessionEvent> fresh = all.subList(seen, all.size());
    seen = all.size();
    return List.copyOf(fresh);
  }

  static List<String> types(List<SessionEvent> events) {
    return events.stream().map(SessionEvent::type).toList();
  }

  static <E extends SessionEvent> E only(Class<E> type, List<SessionEvent> events) {
    List<E> found = events.stream().filter(type::isInstance).map(type::cast).toList();
    assertEquals(1, found.size(), () -> "events of type " + type.getSimpleName() + " in " + events);
    return found.get(0);
  }

  static <E extends SessionEvent> List<E> all(Class<E> type, List<SessionEvent> events) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  List<Approval> pendingApprovals() {
    return assertInstanceOf(
            SessionReply.ApprovalList.class,
            run(r -> new SessionCommand.ListApprovals(ADA, r)).reply())
        .approvals();
  }

  SessionReply decide(Caller caller, String approvalId, String decision) {
    return decide(caller, approvalId, decision, null);
  }

  SessionReply decide(Caller caller, String approvalId, String decision, JsonNode result) {
    return run(r ->
            new SessionCommand.DecideApproval(caller, approvalId, decision, "checked", result, r))
        .reply();
  }

  Approval decided(String approvalId, String decision) {
    return assertInstanceOf(
            SessionReply.ApprovalDecided.class, decide(ADA_APPROVER, approvalId, decision))
        .approval();
  }

  @AfterEach
  void everyToolCallEndsWithExactlyOneOutcome() {
    SessionState state = kit.getState();
    Set<String> requested = new LinkedHashSet<>();
    Map<String, Integer> outcomes = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (SessionEvent e : journal()) {
      if (e instanceof AssistantReplied r) {
        r.toolCalls()
            .forEach(
                c -> {
                  if (!requested.add(r.turnId() + "/" + c.id())) {
                    problems.add("asked twice: " + c.id());
                  }
                });
      }
      String key = outcomeOf(e);
      if (key != null) {
        outcomes.merge(key, 1, Integer::sum);
        if (!requested.contains(key)) {
          problems.add("an outcome for a call never asked for: " + e);
        }
      }
    }
    for (String key : requested) {
      int n = outcomes.getOrDefault(key, 0);
      String turnId = key.substring(0, key.indexOf('/'));
      boolean ended = state.turn(turnId).orElseThrow().status().terminal();
      boolean pending = state.pendingCalls().containsKey(key);
      if (n > 1 || (ended && n != 1) || (!ended && n == 0 && !pending)) {
        problems.add(
            key + " has " + n + " outcomes (turn ended: " + ended + ", pending: " + pending + ")");
      }
    }
    assertTrue(problems.isEmpty(), () -> problems + " in " + journal());
  }

  private static String outcomeOf(SessionEvent e) {
    if (e instanceof ToolCallSucceeded o) {
      return o.turnId() + "/" + o.toolCallId();
    } else if (e instanceof ToolCallFailed o) {
      return o.turnId() + "/" + o.toolCallId();
    } else if (e instanceof ToolCallRejected o) {
      return o.turnId() + "/" + o.toolCallId();
    } else if (e instanceof ToolCallCancelled o) {
      return o.turnId() + "/" + o.toolCallId();
    }
    return null;
  }
}
