package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.runtime.model.ModelReply;
import io.agentruntime.runtime.model.ToolCall;
import io.agentruntime.runtime.session.SessionEvent.*;
import io.agentruntime.runtime.tools.ToolConnection;
import io.agentruntime.runtime.tools.ToolResult;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every transition of the turn state machine, as a table, without an actor: a state made from
 * events, one input, and the events decided (by type, in order) or the refusal. The entity tests
 * stay the end-to-end proof.
 */
class TurnMachineTest {

  private static final Instant T0 = Fixtures.T0;
  private static final Instant LATER = T0.plusSeconds(60);
  private static final Caller APPROVER = new Caller("ada", false, true);
  private static final JsonNode ARGS = json("{\"to\":\"bob\"}");

  private static final TurnMachine MACHINE =
      new TurnMachine(SessionSettings.fromConfig(config()), TurnSettings.fromConfig(config()));

  private static com.typesafe.config.Config config() {
    return ConfigFactory.parseString(
            """
            agent-runtime.session.max-queued-messages = 1
            agent-runtime.turns.max-tool-result-size = 64
            """)
        .withFallback(ConfigFactory.load());
  }

  /**
   * Tools: {@code send_email} (asks), {@code lookup} (idempotent, allowed), {@code wipe} (denied),
   * {@code files__search} (MCP, allowed); two steps and 100 tokens per turn at most.
   */
  private static SessionState created() {
    return created(new Limits(2, 600, 100, null));
  }

  private static SessionState created(Limits limits) {
    List<ToolConnection> tools =
        List.of(
            Fixtures.httpTool("send_email"),
            new ToolConnection.Http("lookup", "http://tools.internal/lookup", "", null, true, null),
            new ToolConnection.Http("wipe", "http://tools.internal/wipe", "", null, false, null),
            Fixtures.mcpTool("files"));
    SessionSpec spec =
        new SessionSpec(
            new AgentDefinition("Be brief.", "default", limits),
            tools,
            new PermissionPolicy(
                Map.of(
                    "send_email", Permission.ASK, "wipe", Permission.DENY, "*", Permission.ALLOW)),
            Map.of(),
            Map.of());
    return fold(SessionState.empty(), new SessionCreated(new Owner("acme", "ada"), spec, T0));
  }

  private static SessionState fold(SessionState s, SessionEvent... events) {
    for (SessionEvent e : events) {
      s = s.apply(e);
    }
    return s;
  }

  /** Turn t1 runs and waits for the model's first step. */
  private static SessionState running() {
    return fold(
        created(), new UserMessageAccepted("t1", "hi", null, "ada", T0), new TurnStarted("t1", T0));
  }

  /** t1 runs, t2 waits behind it. */
  private static SessionState busyWithQueue() {
    return fold(running(), new UserMessageAccepted("t2", "and then?", null, "ada", T0));
  }

  /** t1's first step asked for {@code tool}. */
  private static SessionState stepped(String tool) {
    return fold(
        running(),
        new AssistantReplied(
            "t1", 1, "", List.of(new TranscriptEntry.ToolCall("c1", tool, ARGS)), 1, 1, T0));
  }

  private static SessionState awaitingApproval() {
    return fold(
        stepped("send_email"),
        new ApprovalRequested(
            "appr_1",
            "t1",
            "c1",
            "send_email",
            ARGS,
            T0.plus(Duration.ofHours(1)),
            T0,
            null,
            null,
            null));
  }

  /** As {@link #awaitingApproval()}, the approval stating {@code onExpiry} fail. */
  private static SessionState awaitingApprovalThatFails(SessionState before) {
    return fold(
        before,
        new ApprovalRequested(
            "appr_1",
            "t1",
            "c1",
            "send_email",
            ARGS,
            T0.plus(Duration.ofHours(1)),
            T0,
            null,
            Approval.ON_EXPIRY_FAIL,
            null));
  }

  private static SessionState calling(String tool) {
    return fold(stepped(tool), new ToolCallStarted("t1", "c1", tool, ARGS, "idem_1", T0));
  }

  private static SessionState inDoubt() {
    return inDoubt("files__search");
  }

  private static SessionState inDoubt(String tool) {
    return fold(
        calling(tool),
        new ToolCallInDoubt("t1", "c1", "appr_2", T0.plus(Duration.ofHours(1)), T0, null, null));
  }

  /** t1 was cancelled by ada while its call (of a tool with side effects) ran: it waits. */
  private static SessionState toldToEnd() {
    return fold(
        inDoubt(),
        new TurnEnding("t1", "cancelled", "cancelled by ada", "ada", T0),
        new UserMessageAccepted("t2", "and then?", null, "ada", T0));
  }

  /** As {@link #toldToEnd}, after a human asked for a retry: the call runs again. */
  private static SessionState toldToEndRetrying() {
    return fold(
        toldToEnd(),
        new InDoubtResolved("appr_2", "retry", "ada", null, T0),
        new ToolCallStarted("t1", "c1", "files__search", ARGS, "idem_1", T0));
  }

  private static final SessionRules RULES =
      new SessionRules(
          SessionSettings.fromConfig(config()), MACHINE, Set::of, t -> java.util.Optional.empty());

  private static SessionState completedTurnSpentTheBudget() {
    return fold(
        running(),
        new AssistantReplied("t1", 1, "done", List.of(), 60, 50, T0),
        new TurnCompleted("t1", "done", T0));
  }

  /** The tenant's ceiling {@code tool: permission}. */
  private static TenantPolicy ceiling(String tool, Permission permission) {
    return new TenantPolicy(new PermissionPolicy(Map.of(tool, permission)));
  }

  private static Function<SessionState, Decision> modelUnder(
      TenantPolicy ceiling, ModelReply reply) {
    return s -> MACHINE.modelReplied(s, "t1", 1, reply, ceiling, LATER);
  }

  private static Function<SessionState, Decision> humanUnder(
      TenantPolicy ceiling, String approvalId, String decision) {
    return s ->
        MACHINE.humanDecision(s, APPROVER, approvalId, decision, null, null, ceiling, LATER);
  }

  /** {@code send_email} waits for approval, asked about its definition of then. */
  private static SessionState awaitingApprovalOfDefinition() {
    return fold(
        stepped("send_email"),
        new ApprovalRequested(
            "appr_1",
            "t1",
            "c1",
            "send_email",
            ARGS,
            T0.plus(Duration.ofHours(1)),
            T0,
            ToolDefinition.of(ToolCatalog.resolve(created(), "send_email").orElseThrow()),
            null,
            null));
  }

  /** {@code wipe} (not idempotent) started, then connected again as idempotent. */
  private static SessionState callingWhileMadeIdempotent() {
    return fold(
        stepped("wipe"),
        new ToolCallStarted(
            "t1",
            "c1",
            "wipe",
            ARGS,
            "idem_1",
            T0,
            new ToolDefinition("http", "http://tools.internal/wipe", null, false)),
        new ToolConnected(
            new ToolConnection.Http("wipe", "http://tools.internal/wipe", "", null, true, null),
            "olga",
            T0));
  }

  private static Function<SessionState, Decision> toolReplaced(ToolConnection tool) {
    return s -> {
      EventBatch b = new EventBatch(s);
      b.add(new ToolConnected(tool, "olga", LATER));
      MACHINE.toolChanged(b, tool.name(), "olga", LATER);
      return Decision.of(b);
    };
  }

  private static SessionState suspended() {
    return fold(running(), new SessionSuspended("olga", null, T0));
  }

  private static ModelReply text(String text) {
    return new ModelReply(text, List.of(), 1, 1);
  }

  private static ModelReply calls(String tool, String rawArguments) {
    return new ModelReply("", List.of(ToolCall.fromRaw("c1", tool, rawArguments)), 1, 1);
  }

  /** A row of the table: {@code refusal} is the refusal's code, or null. */
  private record Row(
      String name,
      SessionState given,
      Function<SessionState, Decision> input,
      List<Class<? extends SessionEvent>> events,
      String refusal) {}

  private static Row row(
      String name,
      SessionState given,
      Function<SessionState, Decision> input,
      List<Class<? extends SessionEvent>> events) {
    return new Row(name, given, input, events, null);
  }

  /** Events journaled, and refused all the same. */
  private static Row row(
      String name,
      SessionState given,
      Function<SessionState, Decision> input,
      List<Class<? extends SessionEvent>> events,
      String refusal) {
    return new Row(name, given, input, events, refusal);
  }

  private static Row refused(
      String name, SessionState given, Function<SessionState, Decision> input, String code) {
    return new Row(name, given, input, List.of(), code);
  }

  private static Function<SessionState, Decision> message(OnBusy onBusy) {
    return s -> MACHINE.userMessage(s, "ada", "hello", onBusy, null, "t9", T0);
  }

  private static Function<SessionState, Decision> model(int step, ModelReply reply) {
    return s -> MACHINE.modelReplied(s, "t1", step, reply, LATER);
  }

  private static Function<SessionState, Decision> tool(ToolResult result) {
    return s -> MACHINE.toolFinished(s, "t1", "c1", result, LATER);
  }

  private static Function<SessionState, Decision> human(
      Caller by, String approvalId, String decision, JsonNode result, Instant now) {
    return s -> MACHINE.humanDecision(s, by, approvalId, decision, null, result, now);
  }

  private static Function<SessionState, Decision> recover() {
    return s -> MACHINE.recover(s, Set.of(SessionState.callKey("t1", "c1")), LATER);
  }

  /**
   * Every ending of a turn's wait, for each stage of its open call, with a tool with side effects
   * and an idempotent one: a call that may have reached its tool is never cancelled; it is in
   * doubt, and the turn waits for a human (decision 0016). A call awaiting approval was never sent:
   * it is cancelled.
   */
  private static List<Row> endings() {
    Instant afterTurnDeadline = T0.plusSeconds(601);
    Map<String, Function<SessionState, Decision>> endings = new java.util.LinkedHashMap<>();
    endings.put("cancel", s -> MACHINE.cancel(s, "t1", "bob", LATER));
    endings.put("interrupt", message(OnBusy.INTERRUPT));
    endings.put("close (DELETE)", s -> RULES.close(s, Fixtures.ADA, "closed", LATER));
    endings.put("terminate", s -> RULES.terminate(s, Fixtures.OPERATOR, LATER));
    endings.put("deadline", s -> MACHINE.turnDeadlinePassed(s, "t1", afterTurnDeadline));
    Map<String, List<Class<? extends SessionEvent>>> after =
        Map.of(
            "cancel", List.of(),
            "interrupt", List.of(UserMessageAccepted.class),
            "close (DELETE)", List.of(SessionClosed.class),
            "terminate", List.of(SessionClosed.class),
            "deadline", List.of());
    List<Row> rows = new java.util.ArrayList<>();
    endings.forEach(
        (ending, input) -> {
          for (String tool : List.of("files__search", "lookup")) {
            String kind = tool.equals("lookup") ? "idempotent" : "with side effects";
            rows.add(
                row(
                    ending + ", RUNNING call " + kind + ": in doubt, the turn waits",
                    calling(tool),
                    input,
                    concat(List.of(ToolCallInDoubt.class, TurnEnding.class), after.get(ending))));
            rows.add(
                row(
                    ending + ", IN_DOUBT call " + kind + ": it stays in doubt, the turn waits",
                    inDoubt(tool),
                    input,
                    ending.equals("deadline") // waiting for a human: the budget is paused
                        ? List.of()
                        : concat(List.of(TurnEnding.class), after.get(ending))));
          }
          rows.add(
              row(
                  ending + ", AWAITING_APPROVAL call: never sent, so cancelled; the turn ends",
                  awaitingApproval(),
                  input,
                  ending.equals("deadline")
                      ? List.of()
                      : concat(
                          List.of(ToolCallCancelled.class, TurnCancelled.class),
                          ending.equals("interrupt")
                              ? List.of(UserMessageAccepted.class, TurnStarted.class)
                              : after.get(ending))));
          rows.add(
              row(
                  ending + ", a turn told to end already: it keeps waiting",
                  toldToEnd(),
                  input,
                  ending.equals("interrupt")
                      ? List.of(TurnCancelled.class, UserMessageAccepted.class) // t2 was queued
                      : ending.startsWith("close") || ending.equals("terminate")
                          ? List.of(TurnCancelled.class, SessionClosed.class)
                          : List.of()));
        });
    return rows;
  }

  @SafeVarargs
  private static List<Class<? extends SessionEvent>> concat(
      List<Class<? extends SessionEvent>>... parts) {
    return Stream.of(parts).flatMap(List::stream).toList();
  }

  private static List<Row> table() {
    Instant afterApprovalDeadline = T0.plus(Duration.ofHours(2));
    Instant afterTurnDeadline = T0.plusSeconds(601);
    List<Row> rows = new java.util.ArrayList<>(endings());
    rows.addAll(rateLimits());
    rows.addAll(
        List.of(
            // unknown outcomes and late answers (decision 0016)
            row(
                "unknown outcome, idempotent, within the budget: sent again (by the driver)",
                calling("lookup"),
                tool(new ToolResult.Unknown("tool_timeout", "no answer")),
                List.of()),
            row(
                "unknown outcome, idempotent, the budget spent: in doubt",
                calling("lookup"),
                s -> MACHINE.toolFinished(s, "t1", "c1", unknown(), afterTurnDeadline),
                List.of(ToolCallInDoubt.class)),
            row(
                "unknown outcome, with side effects: in doubt",
                calling("files__search"),
                tool(unknown()),
                List.of(ToolCallInDoubt.class)),
            row(
                "unknown outcome of a retry in a turn told to end: in doubt again",
                toldToEndRetrying(),
                tool(unknown()),
                List.of(ToolCallInDoubt.class)),
            row(
                "answer of a retry in a turn told to end: the turn ends as told, the next starts",
                toldToEndRetrying(),
                tool(new ToolResult.Succeeded(json("1"))),
                List.of(ToolCallSucceeded.class, TurnCancelled.class, TurnStarted.class)),
            row(
                "late answer of a call in doubt: it settles the question",
                inDoubt(),
                tool(new ToolResult.Succeeded(json("{\"sent\":true}"))),
                List.of(InDoubtResolved.class, ToolCallSucceeded.class)),
            row(
                "late error answer of a call in doubt: it settles the question as failed",
                inDoubt(),
                tool(new ToolResult.Failed("tool_http_error", "HTTP 502")),
                List.of(InDoubtResolved.class, ToolCallFailed.class)),
            row(
                "late answer in a turn told to end: settled, the turn ends, the next starts",
                toldToEnd(),
                tool(new ToolResult.Succeeded(json("1"))),
                List.of(
                    InDoubtResolved.class,
                    ToolCallSucceeded.class,
                    TurnCancelled.class,
                    TurnStarted.class)),
            row(
                "late unknown outcome of a call in doubt: nothing",
                inDoubt(),
                tool(unknown()),
                List.of()),
            row(
                "in doubt in a turn told to end, fail: the turn ends as told",
                toldToEnd(),
                human(APPROVER, "appr_2", "fail", null, LATER),
                List.of(
                    InDoubtResolved.class,
                    ToolCallFailed.class,
                    TurnCancelled.class,
                    TurnStarted.class)),
            row(
                "in doubt in a turn told to end, result: the turn ends as told",
                toldToEnd(),
                human(APPROVER, "appr_2", "result", json("{\"sent\":true}"), LATER),
                List.of(
                    InDoubtResolved.class,
                    ToolCallSucceeded.class,
                    TurnCancelled.class,
                    TurnStarted.class)),
            row(
                "in doubt in a turn told to end, retry: sent again with the same key, the turn waits",
                toldToEnd(),
                human(APPROVER, "appr_2", "retry", null, LATER),
                List.of(InDoubtResolved.class, ToolCallStarted.class)),
            refused(
                "in doubt in a turn told to end, decided by a user without the approver role",
                toldToEnd(),
                human(Fixtures.ADA, "appr_2", "fail", null, LATER),
                "role_missing"),
            row(
                "in doubt in a turn told to end, expired: failed, the turn ends as told",
                toldToEnd(),
                s -> MACHINE.approvalDeadlinePassed(s, "appr_2", afterApprovalDeadline),
                List.of(
                    ApprovalExpired.class,
                    ToolCallFailed.class,
                    TurnCancelled.class,
                    TurnStarted.class)),
            row(
                "recovery, a retry running in a turn told to end: in doubt again",
                toldToEndRetrying(),
                recover(),
                List.of(ToolCallInDoubt.class)),
            row(
                "model asks for tools after the turn's deadline: none starts, the turn fails",
                running(),
                s -> MACHINE.modelReplied(s, "t1", 1, calls("lookup", "{}"), afterTurnDeadline),
                List.of(AssistantReplied.class, ToolCallCancelled.class, TurnFailed.class))));
    rows.addAll(
        List.of(
            // a user message
            row(
                "message, idle: accepted and started",
                created(),
                message(OnBusy.QUEUE),
                List.of(UserMessageAccepted.class, TurnStarted.class)),
            row(
                "message, busy, queue: queued",
                running(),
                message(OnBusy.QUEUE),
                List.of(UserMessageAccepted.class)),
            refused("message, busy, reject", running(), message(OnBusy.REJECT), "session_busy"),
            row(
                "message, busy, interrupt: the running turn is cancelled, the new one starts",
                running(),
                message(OnBusy.INTERRUPT),
                List.of(TurnCancelled.class, UserMessageAccepted.class, TurnStarted.class)),
            row(
                "message, busy with a running call and a queue, interrupt: the call in doubt, the"
                    + " queue cancelled, the new message waits for the human",
                fold(
                    calling("lookup"), new UserMessageAccepted("t2", "and then?", null, "ada", T0)),
                message(OnBusy.INTERRUPT),
                List.of(
                    ToolCallInDoubt.class,
                    TurnEnding.class,
                    TurnCancelled.class,
                    UserMessageAccepted.class)),
            refused("message, queue full", busyWithQueue(), message(OnBusy.QUEUE), "queue_full"),
            refused("message, suspended", suspended(), message(OnBusy.QUEUE), "session_suspended"),
            row(
                "message, token budget spent: accepted, its turn pauses at its model call",
                completedTurnSpentTheBudget(),
                message(OnBusy.QUEUE),
                List.of(UserMessageAccepted.class, TurnStarted.class)),
            // the model's reply
            row(
                "model text reply: the turn completes",
                running(),
                model(1, text("Hi")),
                List.of(AssistantReplied.class, TurnCompleted.class)),
            row(
                "model text reply: the next queued turn starts",
                busyWithQueue(),
                model(1, text("Hi")),
                List.of(AssistantReplied.class, TurnCompleted.class, TurnStarted.class)),
            row("model reply for another step: stale", running(), model(2, text("Hi")), List.of()),
            row(
                "tool call allowed: the intent is journaled",
                running(),
                model(1, calls("lookup", "{\"q\":1}")),
                List.of(AssistantReplied.class, ToolCallStarted.class)),
            row(
                "built-in tool call allowed: it runs in place",
                running(),
                model(1, calls("memory_write", "{\"key\":\"k\",\"value\":1}")),
                List.of(AssistantReplied.class, MemoryWritten.class, ToolCallSucceeded.class)),
            row(
                "tool call asked: an approval is requested",
                running(),
                model(1, calls("send_email", "{\"to\":\"bob\"}")),
                List.of(AssistantReplied.class, ApprovalRequested.class)),
            row(
                "tool call denied: rejected",
                running(),
                model(1, calls("wipe", "{}")),
                List.of(AssistantReplied.class, ToolCallRejected.class)),
            row(
                "tool call unknown: failed",
                running(),
                model(1, calls("nope", "{}")),
                List.of(AssistantReplied.class, ToolCallFailed.class)),
            row(
                "tool call with arguments that are not an object: failed",
                running(),
                model(1, calls("lookup", "[1]")),
                List.of(AssistantReplied.class, ToolCallFailed.class)),
            row(
                "tool calls at the step limit: cancelled, the turn fails",
                fold(calling("lookup"), new ToolCallSucceeded("t1", "c1", json("1"), T0)),
                model(2, calls("lookup", "{}")),
                List.of(AssistantReplied.class, ToolCallCancelled.class, TurnFailed.class)),
            row(
                "tool calls past the token budget: they run (a budget stops model calls only)",
                running(),
                model(
                    1, new ModelReply("", List.of(ToolCall.fromRaw("c1", "lookup", "{}")), 60, 50)),
                List.of(AssistantReplied.class, ToolCallStarted.class)),
            row(
                "model failed: the turn fails",
                running(),
                s -> MACHINE.modelFailed(s, "t1", 1, "model_timeout", "no answer", LATER),
                List.of(TurnFailed.class)),
            // a tool's outcome
            row(
                "tool outcome, success",
                calling("lookup"),
                tool(new ToolResult.Succeeded(json("{\"n\":1}"))),
                List.of(ToolCallSucceeded.class)),
            row(
                "tool outcome, failure",
                calling("lookup"),
                tool(new ToolResult.Failed("tool_http_error", "HTTP 502")),
                List.of(ToolCallFailed.class)),
            row(
                "tool outcome too large: failed",
                calling("lookup"),
                tool(new ToolResult.Succeeded(json("\"" + "x".repeat(100) + "\""))),
                List.of(ToolCallFailed.class)),
            row(
                "tool outcome of a call that ended: stale",
                running(),
                tool(new ToolResult.Succeeded(json("1"))),
                List.of()),
            // a human's decision
            row(
                "approve: the call starts",
                awaitingApproval(),
                human(APPROVER, "appr_1", "approve", null, LATER),
                List.of(ApprovalGranted.class, ToolCallStarted.class)),
            row(
                "deny: the call is rejected",
                awaitingApproval(),
                human(APPROVER, "appr_1", "deny", null, LATER),
                List.of(ApprovalDenied.class, ToolCallRejected.class)),
            new Row(
                "decided after the deadline: expired, and refused as expired",
                awaitingApproval(),
                human(APPROVER, "appr_1", "approve", null, afterApprovalDeadline),
                List.of(ApprovalExpired.class, ToolCallRejected.class),
                "approval_expired"),
            new Row(
                "decided after the deadline, onExpiry fail: expired, the turn fails, refused",
                awaitingApprovalThatFails(stepped("send_email")),
                human(APPROVER, "appr_1", "approve", null, afterApprovalDeadline),
                List.of(ApprovalExpired.class, ToolCallRejected.class, TurnFailed.class),
                "approval_expired"),
            refused(
                "decided once expired: refused as expired, not as decided",
                fold(awaitingApproval(), new ApprovalExpired("appr_1", T0)),
                human(APPROVER, "appr_1", "approve", null, LATER),
                "approval_expired"),
            refused(
                "decided without the approver role",
                awaitingApproval(),
                human(Fixtures.ADA, "appr_1", "approve", null, LATER),
                "role_missing"),
            refused(
                "an approval that does not exist",
                awaitingApproval(),
                human(APPROVER, "appr_9", "approve", null, LATER),
                "approval_not_found"),
            refused(
                "a decision that is not approve or deny",
                awaitingApproval(),
                human(APPROVER, "appr_1", "retry", null, LATER),
                "invalid_field"),
            refused(
                "decided twice",
                fold(awaitingApproval(), new ApprovalDenied("appr_1", "ada", null, T0)),
                human(APPROVER, "appr_1", "approve", null, LATER),
                "approval_decided"),
            row(
                "in doubt, retry: started again",
                inDoubt(),
                human(APPROVER, "appr_2", "retry", null, LATER),
                List.of(InDoubtResolved.class, ToolCallStarted.class)),
            row(
                "in doubt, fail",
                inDoubt(),
                human(APPROVER, "appr_2", "fail", null, LATER),
                List.of(InDoubtResolved.class, ToolCallFailed.class)),
            row(
                "in doubt, result",
                inDoubt(),
                human(APPROVER, "appr_2", "result", json("{\"sent\":true}"), LATER),
                List.of(InDoubtResolved.class, ToolCallSucceeded.class)),
            refused(
                "in doubt, result without one",
                inDoubt(),
                human(APPROVER, "appr_2", "result", null, LATER),
                "invalid_field"),
            // deadlines
            row(
                "approval deadline passed: expired, the call rejected",
                awaitingApproval(),
                s -> MACHINE.approvalDeadlinePassed(s, "appr_1", afterApprovalDeadline),
                List.of(ApprovalExpired.class, ToolCallRejected.class)),
            row(
                "approval deadline passed, onExpiry fail: expired, rejected, the turn fails",
                awaitingApprovalThatFails(stepped("send_email")),
                s -> MACHINE.approvalDeadlinePassed(s, "appr_1", afterApprovalDeadline),
                List.of(ApprovalExpired.class, ToolCallRejected.class, TurnFailed.class)),
            row(
                "onExpiry fail with a turn queued behind: the turn fails, the next starts",
                awaitingApprovalThatFails(
                    fold(
                        stepped("send_email"),
                        new UserMessageAccepted("t2", "and then?", null, "ada", T0))),
                s -> MACHINE.approvalDeadlinePassed(s, "appr_1", afterApprovalDeadline),
                List.of(
                    ApprovalExpired.class,
                    ToolCallRejected.class,
                    TurnFailed.class,
                    TurnStarted.class)),
            row(
                "in-doubt deadline passed, onExpiry fail: expired, the call failed, the turn too",
                fold(
                    calling("files__search"),
                    new ToolCallInDoubt(
                        "t1",
                        "c1",
                        "appr_2",
                        T0.plus(Duration.ofHours(1)),
                        T0,
                        null,
                        Approval.ON_EXPIRY_FAIL)),
                s -> MACHINE.approvalDeadlinePassed(s, "appr_2", afterApprovalDeadline),
                List.of(ApprovalExpired.class, ToolCallFailed.class, TurnFailed.class)),
            row(
                "in-doubt deadline passed: expired, the call failed",
                inDoubt(),
                s -> MACHINE.approvalDeadlinePassed(s, "appr_2", afterApprovalDeadline),
                List.of(ApprovalExpired.class, ToolCallFailed.class)),
            row(
                "approval timer early: nothing",
                awaitingApproval(),
                s -> MACHINE.approvalDeadlinePassed(s, "appr_1", LATER),
                List.of()),
            row(
                "turn deadline passed: the running call is in doubt, the turn waits to fail",
                calling("lookup"),
                s -> MACHINE.turnDeadlinePassed(s, "t1", afterTurnDeadline),
                List.of(ToolCallInDoubt.class, TurnEnding.class)),
            row(
                "turn deadline passed: the next queued turn starts",
                busyWithQueue(),
                s -> MACHINE.turnDeadlinePassed(s, "t1", afterTurnDeadline),
                List.of(TurnFailed.class, TurnStarted.class)),
            row(
                "turn timer early: nothing",
                running(),
                s -> MACHINE.turnDeadlinePassed(s, "t1", LATER),
                List.of()),
            // cancel
            row(
                "cancel the running turn with a running call: in doubt, the next turn waits",
                fold(
                    calling("lookup"), new UserMessageAccepted("t2", "and then?", null, "ada", T0)),
                s -> MACHINE.cancel(s, "t1", "ada", LATER),
                List.of(ToolCallInDoubt.class, TurnEnding.class)),
            row(
                "cancel the running turn awaiting the model: cancelled, the next turn starts",
                busyWithQueue(),
                s -> MACHINE.cancel(s, "t1", "ada", LATER),
                List.of(TurnCancelled.class, TurnStarted.class)),
            row(
                "cancel a queued turn",
                busyWithQueue(),
                s -> MACHINE.cancel(s, "t2", "ada", LATER),
                List.of(TurnCancelled.class)),
            refused(
                "cancel an ended turn",
                completedTurnSpentTheBudget(),
                s -> MACHINE.cancel(s, "t1", "ada", LATER),
                "turn_ended"),
            refused(
                "cancel a turn that does not exist",
                running(),
                s -> MACHINE.cancel(s, "t7", "ada", LATER),
                "turn_not_found"),
            // governance: the tenant's ceiling, the policy at decision time, the journaled
            // definition
            row(
                "model asks for an allowed tool the ceiling denies: rejected",
                running(),
                modelUnder(ceiling("lookup", Permission.DENY), calls("lookup", "{}")),
                List.of(AssistantReplied.class, ToolCallRejected.class)),
            row(
                "model asks for an allowed tool the ceiling's * asks about: approval requested",
                running(),
                modelUnder(ceiling("*", Permission.ASK), calls("lookup", "{}")),
                List.of(AssistantReplied.class, ApprovalRequested.class)),
            row(
                "a ceiling that allows does not loosen the session's deny",
                running(),
                modelUnder(ceiling("wipe", Permission.ALLOW), calls("wipe", "{}")),
                List.of(AssistantReplied.class, ToolCallRejected.class)),
            row(
                "approve a call the session's policy now denies: withdrawn, rejected, refused",
                fold(
                    awaitingApproval(),
                    new PermissionsChanged(
                        new PermissionPolicy(Map.of("send_email", Permission.DENY)), "ada", T0)),
                human(APPROVER, "appr_1", "approve", null, LATER),
                List.of(ApprovalWithdrawn.class, ToolCallRejected.class),
                "tool_denied"),
            row(
                "approve a call the ceiling now denies: withdrawn, rejected, refused",
                awaitingApproval(),
                humanUnder(ceiling("send_email", Permission.DENY), "appr_1", "approve"),
                List.of(ApprovalWithdrawn.class, ToolCallRejected.class),
                "tool_denied"),
            refused(
                "approve while the ceiling cannot be read: nothing decided",
                awaitingApproval(),
                humanUnder(null, "appr_1", "approve"),
                "policy_unavailable"),
            row(
                "deny while the ceiling cannot be read: denied",
                awaitingApproval(),
                humanUnder(null, "appr_1", "deny"),
                List.of(ApprovalDenied.class, ToolCallRejected.class)),
            refused(
                "retry an in-doubt call the ceiling now denies: refused, nothing sent",
                inDoubt(),
                humanUnder(ceiling("files__search", Permission.DENY), "appr_2", "retry"),
                "tool_denied"),
            refused(
                "retry an in-doubt call of a turn told to end the ceiling now denies: refused, the"
                    + " turn waits on",
                toldToEnd(),
                humanUnder(ceiling("files__search", Permission.DENY), "appr_2", "retry"),
                "tool_denied"),
            row(
                "in doubt in a turn told to end, fail while the ceiling cannot be read: the turn"
                    + " ends as told",
                toldToEnd(),
                humanUnder(null, "appr_2", "fail"),
                List.of(
                    InDoubtResolved.class,
                    ToolCallFailed.class,
                    TurnCancelled.class,
                    TurnStarted.class)),
            row(
                "the tool is retargeted while its approval waits: withdrawn and asked again",
                awaitingApprovalOfDefinition(),
                toolReplaced(
                    new ToolConnection.Http(
                        "send_email",
                        "http://tools.internal/wire_money",
                        "",
                        null,
                        false,
                        "PAYMENTS")),
                List.of(ToolConnected.class, ApprovalWithdrawn.class, ApprovalRequested.class)),
            row(
                "the tool is described anew while its approval waits: the approval stands",
                awaitingApprovalOfDefinition(),
                toolReplaced(
                    new ToolConnection.Http(
                        "send_email",
                        Fixtures.httpTool("send_email").url(),
                        "new words",
                        null,
                        false,
                        Fixtures.httpTool("send_email").secretRef())),
                List.of(ToolConnected.class)),
            row(
                "recovery: the journaled definition (not idempotent) decides, not today's tool",
                callingWhileMadeIdempotent(),
                recover(),
                List.of(ToolCallInDoubt.class)),
            row(
                "unknown outcome: the journaled definition (not idempotent) decides, not today's"
                    + " tool: in doubt, not sent again",
                callingWhileMadeIdempotent(),
                tool(unknown()),
                List.of(ToolCallInDoubt.class)),
            // recovery, for each stage of a pending call
            row(
                "recovery, running idempotent call: run again as it is",
                calling("lookup"),
                recover(),
                List.of()),
            row(
                "recovery, running call with side effects: in doubt",
                calling("files__search"),
                recover(),
                List.of(ToolCallInDoubt.class)),
            row(
                "recovery, a call awaiting approval: it waits on",
                awaitingApproval(),
                recover(),
                List.of()),
            row("recovery, a call in doubt: it stays so", inDoubt(), recover(), List.of()),
            row(
                "recovery, a queued turn and none running: it starts",
                fold(
                    completedTurnSpentTheBudget(),
                    new UserMessageAccepted("t2", "x", null, "a", T0)),
                s -> MACHINE.recover(s, Set.of(), LATER),
                List.of(TurnStarted.class))));
    rows.addAll(budgets());
    rows.addAll(costBudgets());
    rows.addAll(tenantBudgets());
    return rows;
  }

  /** t1's first step spent 110 of its 100 tokens; its tool answered: step 2 is due. */
  private static SessionState spentMidTurn() {
    return fold(
        running(),
        new AssistantReplied(
            "t1", 1, "", List.of(new TranscriptEntry.ToolCall("c1", "lookup", ARGS)), 60, 50, T0),
        new ToolCallSucceeded("t1", "c1", json("1"), T0));
  }

  /** As {@link #spentMidTurn}, t1 paused for budget approval appr_b before its second step. */
  private static SessionState pausedOnBudget() {
    return fold(
        spentMidTurn(),
        new BudgetExceeded(
            "appr_b", "t1", "tokens", 100, 110, T0.plus(Duration.ofHours(1)), T0, null, null));
  }

  /**
   * t1's first step cost 0.60 USD of its session's 0.50 (no token limit); its tool answered: step 2
   * is due.
   */
  private static SessionState costSpentMidTurn() {
    return fold(
        created(new Limits(2, 600, 0, new BigDecimal("0.50"))),
        new UserMessageAccepted("t1", "hi", null, "ada", T0),
        new TurnStarted("t1", T0),
        new AssistantReplied(
            "t1",
            1,
            "",
            List.of(new TranscriptEntry.ToolCall("c1", "lookup", ARGS)),
            60,
            50,
            T0,
            new BigDecimal("0.60")),
        new ToolCallSucceeded("t1", "c1", json("1"), T0));
  }

  /** As {@link #costSpentMidTurn}, t1 paused for cost approval appr_c before its second step. */
  private static SessionState pausedOnCost() {
    return fold(
        costSpentMidTurn(),
        new BudgetExceeded(
            "appr_c",
            "t1",
            "cost",
            0,
            0,
            T0.plus(Duration.ofHours(1)),
            T0,
            new BigDecimal("0.50"),
            new BigDecimal("0.60")));
  }

  private static Function<SessionState, Decision> costDecision(String decision, String raise) {
    return s ->
        MACHINE.humanDecision(
            s,
            APPROVER,
            "appr_c",
            decision,
            null,
            raise == null ? null : json(raise),
            TenantPolicy.NONE,
            LATER);
  }

  /** The cost budget (decision 0039, "Cost"): the same pause, raised by maxSessionCost. */
  private static List<Row> costBudgets() {
    return List.of(
        row(
            "model call due past the cost budget: the turn pauses for a budget approval",
            costSpentMidTurn(),
            s -> MACHINE.budgetReached(s, "t1", 2, LATER),
            List.of(BudgetExceeded.class)),
        row(
            "model call due within the cost budget: nothing to pause",
            fold(
                created(new Limits(2, 600, 0, new BigDecimal("0.50"))),
                new UserMessageAccepted("t1", "hi", null, "ada", T0),
                new TurnStarted("t1", T0),
                new AssistantReplied(
                    "t1",
                    1,
                    "",
                    List.of(new TranscriptEntry.ToolCall("c1", "lookup", ARGS)),
                    60,
                    50,
                    T0,
                    new BigDecimal("0.49")),
                new ToolCallSucceeded("t1", "c1", json("1"), T0)),
            s -> MACHINE.budgetReached(s, "t1", 2, LATER),
            List.of()),
        row(
            "replies of an unpriced provider: their cost is unknown, counted 0, nothing to pause",
            fold(
                created(new Limits(2, 600, 0, new BigDecimal("0.50"))),
                new UserMessageAccepted("t1", "hi", null, "ada", T0),
                new TurnStarted("t1", T0),
                new AssistantReplied(
                    "t1",
                    1,
                    "",
                    List.of(new TranscriptEntry.ToolCall("c1", "lookup", ARGS)),
                    600000,
                    500000,
                    T0),
                new ToolCallSucceeded("t1", "c1", json("1"), T0)),
            s -> MACHINE.budgetReached(s, "t1", 2, LATER),
            List.of()),
        row(
            "cost approval approved with a raise: journaled, the turn goes on",
            pausedOnCost(),
            costDecision("approve", "{\"maxSessionCost\": 2.5}"),
            List.of(BudgetRaised.class)),
        refused(
            "cost approval raised with the token field",
            pausedOnCost(),
            costDecision("approve", "{\"maxSessionTokens\": 500}"),
            "invalid_field"),
        refused(
            "cost approval raised to no more than was spent",
            pausedOnCost(),
            costDecision("approve", "{\"maxSessionCost\": 0.6}"),
            "invalid_field"),
        refused(
            "cost approval raised by a string",
            pausedOnCost(),
            costDecision("approve", "{\"maxSessionCost\": \"2.5\"}"),
            "invalid_field"),
        row(
            "cost approval denied: the turn fails budget_exhausted",
            pausedOnCost(),
            costDecision("deny", null),
            List.of(ApprovalDenied.class, TurnFailed.class)));
  }

  @Test
  void aCostRaiseResumesTheTurnUnderTheNewCostBudget() {
    SessionState after = pausedOnCost();
    Approval asked = after.approval("appr_c").orElseThrow();
    assertEquals(
        json("{\"budget\":\"cost\",\"limit\":0.5,\"used\":0.6,\"raise\":\"maxSessionCost\"}"),
        asked.arguments());
    assertEquals(new BigDecimal("0.60"), after.usage().costUsd());

    for (SessionEvent e :
        costDecision("approve", "{\"maxSessionCost\": 2.5}").apply(after).events()) {
      after = after.apply(e);
    }
    assertEquals(0, new BigDecimal("2.5").compareTo(after.agent().limits().maxSessionCost()));
    assertEquals(0, after.agent().limits().maxSessionTokens(), "the token budget is untouched");
    assertEquals(TurnStatus.RUNNING, after.activeTurn().orElseThrow().status());
    assertTrue(Budgets.exceeded(after).isEmpty());
  }

  @Test
  void aPricedReplyIsJournaledWithItsCostAndSummedInTheUsage() {
    SessionState s = running();
    ModelReply priced = new ModelReply("done", List.of(), 1000, 500, new BigDecimal("0.0012"));
    List<SessionEvent> events =
        MACHINE.modelReplied(s, "t1", 1, priced, TenantPolicy.NONE, LATER).events();
    AssistantReplied replied = (AssistantReplied) events.get(0);
    assertEquals(new BigDecimal("0.0012"), replied.costUsd());
    for (SessionEvent e : events) {
      s = s.apply(e);
    }
    assertEquals(new BigDecimal("0.0012"), s.usage().costUsd());
    assertEquals(1500, s.tokensUsed());
  }

  private static Function<SessionState, Decision> budgetDecision(String decision, String raise) {
    return s ->
        MACHINE.humanDecision(
            s,
            APPROVER,
            "appr_b",
            decision,
            null,
            raise == null ? null : json(raise),
            TenantPolicy.NONE,
            LATER);
  }

  /** The tenant's monthly token budget, 1000, as the driver found it spent (1200 used). */
  private static final Budgets.Exceeded TENANT_TOKENS =
      new Budgets.Exceeded(Budgets.MONTHLY_TOKENS, 1000, 1200);

  /** As {@link #spentMidTurn} without a session budget, paused on the tenant's month (appr_t). */
  private static SessionState pausedOnTenant() {
    return fold(
        running(),
        new BudgetExceeded(
            "appr_t",
            "t1",
            Budgets.MONTHLY_TOKENS,
            1000,
            1200,
            T0.plus(Duration.ofHours(1)),
            T0,
            null,
            null));
  }

  private static Function<SessionState, Decision> tenantDecision(
      Caller caller, String decision, String raise) {
    return s ->
        MACHINE.humanDecision(
            s,
            caller,
            "appr_t",
            decision,
            null,
            raise == null ? null : json(raise),
            TenantPolicy.NONE,
            LATER);
  }

  private static final Caller OPERATOR_APPROVER = new Caller("olga", true, true);

  /** The tenant's monthly budgets (decision 0045): the same pause, raised by an operator. */
  private static List<Row> tenantBudgets() {
    return List.of(
        row(
            "model call due past the tenant's month: the turn pauses, naming the tenant budget",
            running(),
            s -> MACHINE.budgetReached(s, "t1", 1, java.util.Optional.of(TENANT_TOKENS), LATER),
            List.of(BudgetExceeded.class)),
        row(
            "tenant budget reached while paused for it already: asked once",
            pausedOnTenant(),
            s -> MACHINE.budgetReached(s, "t1", 1, java.util.Optional.of(TENANT_TOKENS), LATER),
            List.of()),
        row(
            "tenant budget reached for a step no longer due: stale",
            running(),
            s -> MACHINE.budgetReached(s, "t1", 2, java.util.Optional.of(TENANT_TOKENS), LATER),
            List.of()),
        row(
            "tenant approval approved by an operator with a raise: granted, the turn goes on",
            pausedOnTenant(),
            tenantDecision(OPERATOR_APPROVER, "approve", "{\"monthlyTokens\": 5000}"),
            List.of(ApprovalGranted.class)),
        refused(
            "tenant approval raised by an approver who is not an operator",
            pausedOnTenant(),
            tenantDecision(APPROVER, "approve", "{\"monthlyTokens\": 5000}"),
            "role_missing"),
        refused(
            "tenant approval raised by the session's field",
            pausedOnTenant(),
            tenantDecision(OPERATOR_APPROVER, "approve", "{\"maxSessionTokens\": 5000}"),
            "invalid_field"),
        refused(
            "tenant approval raised to no more than the tenant used",
            pausedOnTenant(),
            tenantDecision(OPERATOR_APPROVER, "approve", "{\"monthlyTokens\": 1200}"),
            "invalid_field"),
        row(
            "tenant approval denied by an approver: the turn fails budget_exhausted",
            pausedOnTenant(),
            tenantDecision(APPROVER, "deny", null),
            List.of(ApprovalDenied.class, TurnFailed.class)),
        row(
            "tenant approval expired: the turn fails budget_exhausted",
            pausedOnTenant(),
            s -> MACHINE.approvalDeadlinePassed(s, "appr_t", T0.plus(Duration.ofHours(2))),
            List.of(ApprovalExpired.class, TurnFailed.class)));
  }

  @Test
  void aTenantBudgetPauseNamesTheTenantBudgetAndItsRaise() {
    Approval asked = pausedOnTenant().approval("appr_t").orElseThrow();
    assertEquals(Approval.BUDGET, asked.reason());
    assertEquals(
        json(
            "{\"budget\":\"monthlyTokens\",\"limit\":1000,\"used\":1200,"
                + "\"raise\":\"monthlyTokens\",\"scope\":\"tenant\"}"),
        asked.arguments());
    SessionState granted =
        fold(
            pausedOnTenant(),
            tenantDecision(OPERATOR_APPROVER, "approve", "{\"monthlyTokens\": 5000}")
                .apply(pausedOnTenant())
                .events()
                .toArray(SessionEvent[]::new));
    assertEquals(TurnStatus.RUNNING, granted.activeTurn().orElseThrow().status());
    assertEquals(
        pausedOnTenant().agent().limits(),
        granted.agent().limits(),
        "the session's budgets untouched");
  }

  /** Budgets that pause (decision 0039). */
  private static List<Row> budgets() {
    return List.of(
        row(
            "model call due past the token budget: the turn pauses for a budget approval",
            spentMidTurn(),
            s -> MACHINE.budgetReached(s, "t1", 2, LATER),
            List.of(BudgetExceeded.class)),
        row(
            "model call due within the budget: nothing to pause",
            fold(running(), new AssistantReplied("t1", 1, "", List.of(), 0, 0, T0)),
            s -> MACHINE.budgetReached(s, "t1", 1, LATER),
            List.of()),
        row(
            "budget reached for a step no longer due: stale",
            spentMidTurn(),
            s -> MACHINE.budgetReached(s, "t1", 3, LATER),
            List.of()),
        row(
            "budget reached while paused for it already: asked once",
            pausedOnBudget(),
            s -> MACHINE.budgetReached(s, "t1", 2, LATER),
            List.of()),
        row(
            "budget reached while suspended: nothing until resumed",
            fold(spentMidTurn(), new SessionSuspended("op", null, T0)),
            s -> MACHINE.budgetReached(s, "t1", 2, LATER),
            List.of()),
        row(
            "budget approval approved with a raise: journaled, the turn goes on",
            pausedOnBudget(),
            budgetDecision("approve", "{\"maxSessionTokens\": 500}"),
            List.of(BudgetRaised.class)),
        refused(
            "budget approval approved without a raise",
            pausedOnBudget(),
            budgetDecision("approve", null),
            "invalid_field"),
        refused(
            "budget approval raised to no more than was used",
            pausedOnBudget(),
            budgetDecision("approve", "{\"maxSessionTokens\": 110}"),
            "invalid_field"),
        refused(
            "budget approval raised by a fraction",
            pausedOnBudget(),
            budgetDecision("approve", "{\"maxSessionTokens\": 500.5}"),
            "invalid_field"),
        refused(
            "budget approval decided retry",
            pausedOnBudget(),
            budgetDecision("retry", null),
            "invalid_field"),
        row(
            "budget approval denied: the turn fails budget_exhausted",
            pausedOnBudget(),
            budgetDecision("deny", null),
            List.of(ApprovalDenied.class, TurnFailed.class)),
        row(
            "budget approval denied, a turn queued: it starts (and pauses at its model call)",
            fold(pausedOnBudget(), new UserMessageAccepted("t2", "and then?", null, "ada", T0)),
            budgetDecision("deny", null),
            List.of(ApprovalDenied.class, TurnFailed.class, TurnStarted.class)),
        row(
            "budget approval expired: the turn fails budget_exhausted",
            pausedOnBudget(),
            s -> MACHINE.approvalDeadlinePassed(s, "appr_b", T0.plus(Duration.ofHours(2))),
            List.of(ApprovalExpired.class, TurnFailed.class)),
        row(
            "cancel a turn paused on its budget: cancelled",
            pausedOnBudget(),
            s -> MACHINE.cancel(s, "t1", "ada", LATER),
            List.of(TurnCancelled.class)));
  }

  @Test
  void aRaiseResumesTheTurnUnderTheNewBudget() {
    SessionState after = pausedOnBudget();
    assertEquals(TurnStatus.AWAITING_APPROVAL, after.activeTurn().orElseThrow().status());
    Approval asked = after.approval("appr_b").orElseThrow();
    assertEquals(Approval.BUDGET, asked.reason());
    assertEquals(
        json("{\"budget\":\"tokens\",\"limit\":100,\"used\":110,\"raise\":\"maxSessionTokens\"}"),
        asked.arguments());

    for (SessionEvent e :
        budgetDecision("approve", "{\"maxSessionTokens\": 500}").apply(after).events()) {
      after = after.apply(e);
    }
    assertEquals(500, after.agent().limits().maxSessionTokens());
    assertEquals(TurnStatus.RUNNING, after.activeTurn().orElseThrow().status());
    assertTrue(after.awaitsModel(after.activeTurn().orElseThrow()));
    assertTrue(Budgets.exceeded(after).isEmpty());
    assertEquals("granted", after.approval("appr_b").orElseThrow().status());
  }

  @Test
  void aDeniedBudgetFailsTheTurnWithBudgetExhausted() {
    SessionState after = pausedOnBudget();
    for (SessionEvent e : budgetDecision("deny", null).apply(after).events()) {
      after = after.apply(e);
    }
    Turn t1 = after.turn("t1").orElseThrow();
    assertEquals(TurnStatus.FAILED, t1.status());
    assertEquals("budget_exhausted", t1.error().code());
    assertTrue(after.pendingApprovals().isEmpty());
  }

  @Test
  void aCancelledPausedTurnLeavesNoBudgetApprovalOpen() {
    SessionState after = pausedOnBudget();
    for (SessionEvent e : MACHINE.cancel(after, "t1", "ada", LATER).events()) {
      after = after.apply(e);
    }
    assertTrue(after.pendingApprovals().isEmpty());
  }

  private static ToolResult unknown() {
    return new ToolResult.Unknown("tool_timeout", "no answer within 30 s");
  }

  private static final io.agentruntime.runtime.ratelimits.RateLimitHit HOUR_FULL =
      io.agentruntime.runtime.ratelimits.RateLimitHit.over("hour", 10, 10);

  /** {@code lookup} (allowed) was about to be sent over its tenant's rate limit (decision 0046). */
  private static SessionState heldByRateLimit() {
    return fold(
        calling("lookup"),
        new ApprovalRequested(
            "appr_9",
            "t1",
            "c1",
            "lookup",
            ARGS,
            T0.plus(Duration.ofHours(1)),
            T0,
            null,
            null,
            HOUR_FULL));
  }

  private static Function<SessionState, Decision> rateLimitReached(String idempotencyKey) {
    return s -> MACHINE.rateLimitReached(s, "t1", "c1", idempotencyKey, HOUR_FULL, LATER);
  }

  /**
   * Rate limits (decision 0046): a call held over the limit waits for a human like a policy one.
   */
  private static List<Row> rateLimits() {
    return List.of(
        row(
            "a running call about to be sent over the rate limit: held for an approval",
            calling("lookup"),
            rateLimitReached("idem_1"),
            List.of(ApprovalRequested.class)),
        row(
            "over the limit, but the call ended meanwhile: nothing",
            fold(calling("lookup"), new ToolCallSucceeded("t1", "c1", json("1"), T0)),
            rateLimitReached("idem_1"),
            List.of()),
        row(
            "over the limit, but the call went in doubt meanwhile: nothing",
            inDoubt("lookup"),
            rateLimitReached("idem_1"),
            List.of()),
        row(
            "over the limit, reported for an earlier start of the call: nothing",
            calling("lookup"),
            rateLimitReached("idem_0"),
            List.of()),
        row(
            "over the limit, the call already held: nothing",
            heldByRateLimit(),
            rateLimitReached("idem_1"),
            List.of()),
        row(
            "rate-limit approval approved: the call starts again",
            heldByRateLimit(),
            humanUnder(TenantPolicy.NONE, "appr_9", "approve"),
            List.of(ApprovalGranted.class, ToolCallStarted.class)),
        row(
            "rate-limit approval approved while the ceiling now denies the tool: withdrawn",
            heldByRateLimit(),
            humanUnder(ceiling("lookup", Permission.DENY), "appr_9", "approve"),
            List.of(ApprovalWithdrawn.class, ToolCallRejected.class),
            "tool_denied"),
        row(
            "rate-limit approval denied: the call is refused, the model told",
            heldByRateLimit(),
            humanUnder(TenantPolicy.NONE, "appr_9", "deny"),
            List.of(ApprovalDenied.class, ToolCallRejected.class)),
        refused(
            "rate-limit approval decided retry: refused",
            heldByRateLimit(),
            humanUnder(TenantPolicy.NONE, "appr_9", "retry"),
            "invalid_field"),
        row(
            "rate-limit approval expires (onExpiry deny): the call is refused",
            heldByRateLimit(),
            s -> MACHINE.approvalDeadlinePassed(s, "appr_9", T0.plus(Duration.ofHours(2))),
            List.of(ApprovalExpired.class, ToolCallRejected.class)),
        row(
            "turn cancelled while a call waits for a rate-limit approval: the call is cancelled",
            heldByRateLimit(),
            s -> MACHINE.cancel(s, "t1", "bob", LATER),
            List.of(ToolCallCancelled.class, TurnCancelled.class)));
  }

  @Test
  void aRateLimitApprovalSaysTheToolTheWindowTheLimitAndTheCount() {
    SessionState held =
        fold(
            calling("lookup"),
            MACHINE
                .rateLimitReached(calling("lookup"), "t1", "c1", "idem_1", HOUR_FULL, LATER)
                .events()
                .toArray(SessionEvent[]::new));
    Approval a = held.pendingApprovals().get(0);
    assertEquals(Approval.RATE_LIMIT, a.reason());
    assertEquals("lookup", a.tool());
    assertEquals(ARGS, a.arguments(), "the approver sees the exact call");
    assertEquals(HOUR_FULL, a.rateLimit());
    assertEquals(
        PendingCall.Stage.AWAITING_APPROVAL, held.pendingCall("t1", "c1").orElseThrow().stage());
    assertEquals(TurnStatus.AWAITING_APPROVAL, held.turn("t1").orElseThrow().status());
    SessionState approved =
        fold(
            held,
            MACHINE
                .humanDecision(
                    held, APPROVER, a.id(), "approve", null, null, TenantPolicy.NONE, LATER)
                .events()
                .toArray(SessionEvent[]::new));
    assertEquals("granted", approved.approval(a.id()).orElseThrow().status());
    assertEquals(
        Approval.RATE_LIMIT,
        approved.approval(a.id()).orElseThrow().reason(),
        "the driver counts the approved call by it");
    assertEquals(PendingCall.Stage.RUNNING, approved.pendingCall("t1", "c1").orElseThrow().stage());
  }

  @TestFactory
  Stream<DynamicTest> everyTransition() {
    return table().stream()
        .map(
            row ->
                DynamicTest.dynamicTest(
                    row.name(),
                    () -> {
                      Decision d = row.input().apply(row.given());
                      assertEquals(
                          row.events(),
                          d.events().stream().map(Object::getClass).toList(),
                          d::toString);
                      assertEquals(
                          row.refusal(),
                          d.refused() ? d.refusal().code() : null,
                          () -> String.valueOf(d.refusal()));
                      // What was decided folds: every event applies to the state it was decided on.
                      SessionState after = row.given();
                      for (SessionEvent e : d.events()) {
                        after = after.apply(e);
                      }
                      assertEquals(row.given().lastSeq() + d.events().size(), after.lastSeq());
                    }));
  }

  @Test
  void theModelIsNotOfferedToolsThePolicyOrTheCeilingDenies() {
    List<String> offered =
        ToolCatalog.specs(created(), ceiling("lookup", Permission.DENY)).stream()
            .map(io.agentruntime.runtime.model.ToolSpec::name)
            .toList();
    assertTrue(offered.contains("send_email"), offered::toString);
    assertTrue(!offered.contains("lookup"), "the ceiling denies it: " + offered);
    assertTrue(!offered.contains("wipe"), "the session denies it: " + offered);
  }

  @Test
  void theApprovalStatesWhatItsExpiryDoesAsThePolicyNamesIt() {
    SessionState s = running();
    SessionState failing =
        fold(
            s,
            new PermissionsChanged(
                new PermissionPolicy(
                    Map.of("send_email", Permission.ASK, "*", Permission.ALLOW),
                    Map.of("send_email", Approval.ON_EXPIRY_FAIL)),
                "ada",
                T0));
    ModelReply asks = calls("send_email", "{\"to\":\"bob\"}");
    ApprovalRequested stated =
        (ApprovalRequested) MACHINE.modelReplied(failing, "t1", 1, asks, LATER).events().get(1);
    assertEquals(Approval.ON_EXPIRY_FAIL, stated.onExpiry());
    ApprovalRequested byDefault =
        (ApprovalRequested) MACHINE.modelReplied(s, "t1", 1, asks, LATER).events().get(1);
    assertEquals(Approval.ON_EXPIRY_DENY, byDefault.onExpiry());

    SessionState waiting = apply(failing, MACHINE.modelReplied(failing, "t1", 1, asks, LATER));
    Approval approval = waiting.pendingApprovals().get(0);
    assertEquals(Approval.ON_EXPIRY_FAIL, approval.expiryPath());
    SessionState expired =
        apply(
            waiting, MACHINE.approvalDeadlinePassed(waiting, approval.id(), approval.expiresAt()));
    assertEquals(Approval.EXPIRED, expired.approval(approval.id()).orElseThrow().status());
    Turn failed = expired.turn("t1").orElseThrow();
    assertEquals(TurnStatus.FAILED, failed.status());
    assertEquals("approval_expired", failed.error().code());
    assertEquals(
        "rejected",
        expired.transcript().get(expired.transcript().size() - 1).outcome(),
        "the call has its one outcome");
  }

  @Test
  void anApprovalJournaledBeforeOnExpiryExpiresAsADeny() {
    SessionState s = awaitingApproval();
    assertEquals(Approval.ON_EXPIRY_DENY, s.pendingApprovals().get(0).expiryPath());
    SessionState after =
        apply(s, MACHINE.approvalDeadlinePassed(s, "appr_1", T0.plus(Duration.ofHours(2))));
    assertEquals(Approval.EXPIRED, after.approval("appr_1").orElseThrow().status());
    assertEquals(TurnStatus.RUNNING, after.turn("t1").orElseThrow().status(), "the turn goes on");
  }

  @Test
  void aTurnEndsWithEveryCallOfItsStepHavingOneOutcome() {
    SessionState s = awaitingApproval();
    SessionState after = apply(s, MACHINE.cancel(s, "t1", "ada", LATER));
    assertEquals(TurnStatus.CANCELLED, after.turn("t1").orElseThrow().status());
    assertTrue(after.pendingCalls().isEmpty());
    assertTrue(after.pendingApprovals().isEmpty());
  }

  @Test
  void aCallCutOffByTheDeadlineIsInDoubtAndTheTurnFailsOnlyOnceAHumanDecided() {
    SessionState s =
        apply(
            calling("files__search"),
            MACHINE.turnDeadlinePassed(calling("files__search"), "t1", T0.plusSeconds(601)));
    Turn waiting = s.turn("t1").orElseThrow();
    assertEquals(TurnStatus.AWAITING_APPROVAL, waiting.status());
    assertEquals("turn_timeout", waiting.error().code(), "how it will end");
    Approval question = s.pendingApprovals().get(0);
    assertEquals(Approval.IN_DOUBT, question.reason());
    assertEquals(PendingCall.Stage.IN_DOUBT, s.pendingCall("t1", "c1").orElseThrow().stage());
    assertTrue(
        s.transcript().stream().noneMatch(e -> "cancelled".equals(e.outcome())),
        "nothing is recorded cancelled");

    // A user-only key cannot cancel the question away: the call stays in doubt.
    SessionState cancelled = apply(s, MACHINE.cancel(s, "t1", "bob", LATER));
    assertEquals(
        PendingCall.Stage.IN_DOUBT, cancelled.pendingCall("t1", "c1").orElseThrow().stage());
    assertTrue(cancelled.approval(question.id()).orElseThrow().pending());

    SessionState decided =
        apply(
            cancelled,
            MACHINE.humanDecision(
                cancelled,
                APPROVER,
                question.id(),
                "result",
                null,
                json("{\"sent\":true}"),
                LATER));
    assertEquals(TurnStatus.FAILED, decided.turn("t1").orElseThrow().status());
    assertEquals("turn_timeout", decided.turn("t1").orElseThrow().error().code());
    assertEquals("resolved:result", decided.approval(question.id()).orElseThrow().status());
  }

  @Test
  void aClosedSessionKeepsItsInDoubtQuestionForAnApprover() {
    SessionState s = calling("files__search");
    SessionState closed = apply(s, RULES.terminate(s, Fixtures.OPERATOR, LATER));
    assertTrue(closed.closed());
    Approval question = closed.pendingApprovals().get(0);
    assertEquals(Approval.IN_DOUBT, question.reason());
    assertEquals(TurnStatus.AWAITING_APPROVAL, closed.turn("t1").orElseThrow().status());

    SessionState failed =
        apply(
            closed,
            MACHINE.humanDecision(closed, APPROVER, question.id(), "fail", null, null, LATER));
    assertEquals(TurnStatus.CANCELLED, failed.turn("t1").orElseThrow().status());
    assertTrue(failed.pendingApprovals().isEmpty());
  }

  @Test
  void aLateAnswerSettlesTheQuestionWithTheRealOutcome() {
    SessionState s = toldToEnd();
    SessionState after =
        apply(s, MACHINE.toolFinished(s, "t1", "c1", new ToolResult.Succeeded(json("7")), LATER));
    assertEquals("resolved:answered", after.approval("appr_2").orElseThrow().status());
    TranscriptEntry outcome = after.transcript().get(after.transcript().size() - 1);
    assertEquals("succeeded", outcome.outcome());
    assertEquals("7", outcome.content());
    assertEquals(TurnStatus.CANCELLED, after.turn("t1").orElseThrow().status());
    assertEquals(TurnStatus.RUNNING, after.turn("t2").orElseThrow().status());
  }

  private static SessionState apply(SessionState s, Decision d) {
    assertTrue(!d.refused(), () -> String.valueOf(d.refusal()));
    return fold(s, d.events().toArray(SessionEvent[]::new));
  }

  @Test
  void callsWithoutIdsOrWithRepeatedOnesGetIdsOfTheirOwn() {
    ModelReply reply =
        new ModelReply(
            "",
            List.of(
                ToolCall.fromRaw(null, "lookup", "{}"),
                ToolCall.fromRaw("same", "lookup", "{}"),
                ToolCall.fromRaw("same", "lookup", "{}")),
            1,
            1);
    Decision d = MACHINE.modelReplied(running(), "t1", 1, reply, LATER);
    List<String> ids =
        d.events().stream()
            .filter(ToolCallStarted.class::isInstance)
            .map(e -> ((ToolCallStarted) e).toolCallId())
            .toList();
    assertEquals(List.of("call_s1_0", "same", "call_s1_2"), ids);
  }

  @Test
  void approvalsAndIdempotencyKeysAreFresh() {
    Decision asked = MACHINE.modelReplied(running(), "t1", 1, calls("send_email", "{}"), LATER);
    Decision again = MACHINE.modelReplied(running(), "t1", 1, calls("send_email", "{}"), LATER);
    String first = ((ApprovalRequested) asked.events().get(1)).approvalId();
    assertTrue(first.startsWith("appr_"), first);
    assertNotEquals(first, ((ApprovalRequested) again.events().get(1)).approvalId());
  }

  @Test
  void aDuplicateMessageFindsItsEarlierTurn() {
    SessionState s = fold(created(), new UserMessageAccepted("t1", "hi", "idem-1", "ada", T0));
    assertEquals("t1", TurnMachine.earlier(s, "idem-1", null).orElseThrow().id());
    assertEquals("t1", TurnMachine.earlier(s, null, "t1").orElseThrow().id());
    assertTrue(TurnMachine.earlier(s, "idem-2", "t2").isEmpty());
  }
}
