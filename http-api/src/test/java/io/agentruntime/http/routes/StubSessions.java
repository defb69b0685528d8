package io.agentruntime.http.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.agentruntime.runtime.directory.CostPosition;
import io.agentruntime.runtime.directory.SessionPage;
import io.agentruntime.runtime.session.AgentDefinition;
import io.agentruntime.runtime.session.Approval;
import io.agentruntime.runtime.session.Caller;
import io.agentruntime.runtime.session.Limits;
import io.agentruntime.runtime.session.OnBusy;
import io.agentruntime.runtime.session.Owner;
import io.agentruntime.runtime.session.PermissionPolicy;
import io.agentruntime.runtime.session.Problem;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.session.SessionRefused;
import io.agentruntime.runtime.session.SessionReply;
import io.agentruntime.runtime.session.SessionService;
import io.agentruntime.runtime.session.SessionSpec;
import io.agentruntime.runtime.session.SessionStatus;
import io.agentruntime.runtime.session.SessionSummary;
import io.agentruntime.runtime.session.SessionView;
import io.agentruntime.runtime.session.StreamItem;
import io.agentruntime.runtime.session.Turn;
import io.agentruntime.runtime.session.TurnStatus;
import io.agentruntime.runtime.session.Usage;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A {@link SessionService} that answers what a test sets and writes down every call (its name, then
 * its arguments), so that a route test sees what the route asked and how it renders the answer.
 */
final class StubSessions implements SessionService {

  static final Instant AT = Instant.parse("2026-12-07T09:00:00Z");

  final List<List<Object>> calls = new ArrayList<>();

  SessionView view = view("s1", Map.of());
  boolean created = true;
  Turn turn = turn("turn_1", TurnStatus.COMPLETED, "done");
  Approval approval = approval("appr_1", "approved");
  Optional<String> host = Optional.empty();
  SessionReply.TranscriptFound transcript = new SessionReply.TranscriptFound(List.of());

  /** When set, every call fails with it. */
  Throwable failure;

  static SessionView view(String id, Map<String, JsonNode> memory) {
    return new SessionView(
        id,
        new Owner("dev", "dev"),
        SessionStatus.IDLE,
        new AgentDefinition("Be brief.", "default", new Limits(8, 600, 0, null)),
        AT,
        AT,
        3,
        null,
        0,
        memory,
        List.of(),
        PermissionPolicy.empty(),
        Map.of(),
        0,
        Usage.NONE);
  }

  static Turn turn(String id, TurnStatus status, String output) {
    return new Turn(id, status, 1, output, null, AT, AT);
  }

  static Approval approval(String id, String status) {
    return new Approval(
        id,
        "turn_1",
        "call_1",
        "send_email",
        JsonNodeFactory.instance.objectNode().put("to", "ada@example.com"),
        Approval.POLICY,
        AT,
        AT.plusSeconds(3600),
        status,
        "pending".equals(status) ? null : "dev",
        null,
        null,
        null);
  }

  /** The last call: its name, then its arguments. */
  List<Object> last() {
    return calls.get(calls.size() - 1);
  }

  private <T> CompletionStage<T> answer(T value, Object... call) {
    calls.add(Arrays.asList(call));
    return failure != null
        ? CompletableFuture.failedFuture(failure)
        : CompletableFuture.completedFuture(value);
  }

  @Override
  public CompletionStage<Creation> create(
      String tenant, String sessionId, Caller caller, SessionSpec spec, CreateMode mode) {
    return answer(
        new Creation(SessionSummary.of(view(sessionId, Map.of())), created),
        "create",
        tenant,
        sessionId,
        caller,
        spec,
        mode);
  }

  @Override
  public CompletionStage<SessionView> get(String tenant, String sessionId, Caller caller) {
    return answer(view, "get", tenant, sessionId, caller);
  }

  @Override
  public CompletionStage<JsonNode> memoryValue(
      String tenant, String sessionId, Caller caller, String key) {
    calls.add(Arrays.asList("memoryValue", tenant, sessionId, caller, key));
    if (failure == null && !view.memory().containsKey(key)) {
      return CompletableFuture.failedFuture(
          new SessionRefused(
              new Problem(
                  Problem.Kind.NOT_FOUND,
                  "memory_key_not_found",
                  "no memory under key " + key,
                  "key")));
    }
    return failure != null
        ? CompletableFuture.failedFuture(failure)
        : CompletableFuture.completedFuture(view.memory().get(key));
  }

  /** What the writes answer: the view in summary. */
  SessionSummary summary() {
    return SessionSummary.of(view);
  }

  @Override
  public CompletionStage<SessionPage> list(
      String tenant,
      Optional<String> owner,
      Optional<String> status,
      int limit,
      Optional<String> cursor) {
    return answer(
        new SessionPage(List.of(), Optional.empty()), "list", tenant, owner, status, limit, cursor);
  }

  @Override
  public CompletionStage<SessionPage> listByCost(
      String tenant,
      Optional<String> owner,
      Optional<String> status,
      int limit,
      Optional<CostPosition> after) {
    return answer(
        new SessionPage(List.of(), Optional.empty()),
        "listByCost",
        tenant,
        owner,
        status,
        limit,
        after);
  }

  @Override
  public CompletionStage<SessionSummary> close(String tenant, String sessionId, Caller caller) {
    return answer(summary(), "close", tenant, sessionId, caller);
  }

  @Override
  public CompletionStage<SessionSummary> writeMemory(
      String tenant, String sessionId, Caller caller, String key, JsonNode value) {
    return answer(summary(), "writeMemory", tenant, sessionId, caller, key, value);
  }

  @Override
  public CompletionStage<SessionSummary> deleteMemory(
      String tenant, String sessionId, Caller caller, String key) {
    return answer(summary(), "deleteMemory", tenant, sessionId, caller, key);
  }

  @Override
  public CompletionStage<SessionSummary> connectTool(
      String tenant, String sessionId, Caller caller, ToolConnection tool) {
    return answer(summary(), "connectTool", tenant, sessionId, caller, tool);
  }

  @Override
  public CompletionStage<io.agentruntime.runtime.session.TenantPolicy> tenantPolicy(
      String tenant, Caller caller) {
    return answer(
        io.agentruntime.runtime.session.TenantPolicy.NONE, "tenantPolicy", tenant, caller);
  }

  @Override
  public CompletionStage<io.agentruntime.runtime.session.TenantPolicy> replaceTenantPolicy(
      String tenant, Caller caller, io.agentruntime.runtime.session.TenantPolicy policy) {
    return answer(policy, "replaceTenantPolicy", tenant, caller, policy);
  }

  @Override
  public CompletionStage<io.agentruntime.runtime.session.TenantPolicy> suspendTenant(
      String tenant, Caller caller) {
    return answer(
        io.agentruntime.runtime.session.TenantPolicy.NONE.withSuspended(true),
        "suspendTenant",
        tenant,
        caller);
  }

  @Override
  public CompletionStage<io.agentruntime.runtime.session.TenantPolicy> resumeTenant(
      String tenant, Caller caller) {
    return answer(
        io.agentruntime.runtime.session.TenantPolicy.NONE, "resumeTenant", tenant, caller);
  }

  @Override
  public CompletionStage<SessionSummary> disconnectTool(
      String tenant, String sessionId, Caller caller, String name) {
    return answer(summary(), "disconnectTool", tenant, sessionId, caller, name);
  }

  @Override
  public CompletionStage<SessionSummary> changePermissions(
      String tenant, String sessionId, Caller caller, PermissionPolicy permissions) {
    return answer(summary(), "changePermissions", tenant, sessionId, caller, permissions);
  }

  @Override
  public CompletionStage<Turn> send(
      String tenant,
      String sessionId,
      Caller caller,
      String content,
      OnBusy onBusy,
      String idempotencyKey,
      Duration wait) {
    return answer(turn, "send", tenant, sessionId, caller, content, onBusy, idempotencyKey, wait);
  }

  @Override
  public CompletionStage<Turn> getTurn(
      String tenant, String sessionId, Caller caller, String turnId) {
    return answer(turn, "getTurn", tenant, sessionId, caller, turnId);
  }

  @Override
  public CompletionStage<Turn> awaitTurn(
      String tenant, String sessionId, Caller caller, Turn seen, Duration wait) {
    return answer(turn, "awaitTurn", tenant, sessionId, caller, seen, wait);
  }

  @Override
  public CompletionStage<SessionReply.TurnList> listTurns(
      String tenant, String sessionId, Caller caller, int limit, String afterTurnId) {
    return answer(
        new SessionReply.TurnList(List.of(turn), null),
        "listTurns",
        tenant,
        sessionId,
        caller,
        limit,
        afterTurnId);
  }

  @Override
  public CompletionStage<Turn> cancelTurn(
      String tenant, String sessionId, Caller caller, String turnId) {
    return answer(turn, "cancelTurn", tenant, sessionId, caller, turnId);
  }

  @Override
  public CompletionStage<java.util.Optional<Turn>> cancelActiveTurn(
      String tenant, String sessionId, Caller caller) {
    return answer(java.util.Optional.of(turn), "cancelActiveTurn", tenant, sessionId, caller);
  }

  @Override
  public CompletionStage<Turn> submitToolResult(
      String tenant,
      String sessionId,
      Caller caller,
      io.agentruntime.runtime.session.ClientToolResult result) {
    return answer(turn, "submitToolResult", tenant, sessionId, caller, result);
  }

  @Override
  public CompletionStage<SessionReply.TranscriptFound> transcript(
      String tenant, String sessionId, Caller caller, long after, int limit) {
    return answer(transcript, "transcript", tenant, sessionId, caller, after, limit);
  }

  @Override
  public CompletionStage<List<Approval>> approvals(String tenant, String sessionId, Caller caller) {
    return answer(List.of(approval), "approvals", tenant, sessionId, caller);
  }

  @Override
  public CompletionStage<Approval> decideApproval(
      String tenant,
      String sessionId,
      Caller caller,
      String approvalId,
      String decision,
      String comment,
      JsonNode result) {
    return answer(
        approval,
        "decideApproval",
        tenant,
        sessionId,
        caller,
        approvalId,
        decision,
        comment,
        result);
  }

  @Override
  public CompletionStage<SessionSummary> suspend(
      String tenant, String sessionId, Caller caller, String reason) {
    return answer(summary(), "suspend", tenant, sessionId, caller, reason);
  }

  @Override
  public CompletionStage<SessionSummary> resume(String tenant, String sessionId, Caller caller) {
    return answer(summary(), "resume", tenant, sessionId, caller);
  }

  @Override
  public CompletionStage<SessionSummary> terminate(String tenant, String sessionId, Caller caller) {
    return answer(summary(), "terminate", tenant, sessionId, caller);
  }

  @Override
  public CompletionStage<String> erase(String tenant, String sessionId, Caller caller) {
    return answer(sessionId, "erase", tenant, sessionId, caller);
  }

  @Override
  public CompletionStage<Source<StreamItem, NotUsed>> events(
      String tenant, String sessionId, Caller caller, long after, String requestId) {
    return answer(Source.empty(), "events", tenant, sessionId, caller, after);
  }

  @Override
  public Optional<String> hostOf(String tenant, String sessionId) {
    return host;
  }

  @Override
  public Limits defaultLimits() {
    return new Limits(8, 600, 0, null);
  }
}
