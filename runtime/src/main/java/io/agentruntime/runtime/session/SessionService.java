package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.directory.CostPosition;
import io.agentruntime.runtime.directory.SessionPage;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * What the edge asks of the sessions, typed: one method per operation of the API. Every session is
 * reached in its tenant as a caller, and the session alone decides what that caller may do. A
 * refusal fails the stage with {@link SessionRefused}; a session that does not answer in time (an
 * unavailable journal, say) fails it with a {@link java.util.concurrent.TimeoutException}, which
 * for a write means that nothing was accepted. A write whose outcome cannot be told fails with
 * {@link OutcomeUnknown} (decision 0034).
 */
public interface SessionService {

  /**
   * The same service, whose writes carry the client's {@code idempotencyKey} (null: none): a write
   * repeated under the same key answers its first outcome and changes nothing again; another
   * request under a used key is refused (conflict, {@code idempotency_key_reused}). Messages take
   * their key in {@link #send} instead; create, close, terminate and erase are idempotent by
   * themselves. A stub may ignore the key.
   */
  default SessionService keyed(String idempotencyKey) {
    return this;
  }

  /** A session the create made ({@code created}), or the existing one it matched. */
  record Creation(SessionSummary session, boolean created) {}

  /** Creates session {@code sessionId}; how an existing one is treated is up to {@code mode}. */
  CompletionStage<Creation> create(
      String tenant,
      String sessionId,
      Caller caller,
      SessionSpec spec,
      SessionCommand.CreateMode mode);

  /**
   * The whole session, memory and tools included; it streams from the node that hosts it in parts
   * that each fit a message between nodes (decision 0033).
   */
  CompletionStage<SessionView> get(String tenant, String sessionId, Caller caller);

  /** One memory value; an absent key is refused (NOT_FOUND, code memory_key_not_found). */
  CompletionStage<JsonNode> memoryValue(String tenant, String sessionId, Caller caller, String key);

  /**
   * A page of the tenant's sessions from the directory (only {@code owner}'s when given); fails
   * with a timeout when the directory does not answer within the ask timeout.
   */
  CompletionStage<SessionPage> list(
      String tenant,
      Optional<String> owner,
      Optional<String> status,
      int limit,
      Optional<String> cursor);

  /**
   * A page of the tenant's sessions from the directory, most expensive first (only {@code owner}'s
   * when given), going on after {@code after}; fails with a timeout as {@link #list} does.
   */
  CompletionStage<SessionPage> listByCost(
      String tenant,
      Optional<String> owner,
      Optional<String> status,
      int limit,
      Optional<CostPosition> after);

  /**
   * Closes the session; closing a closed one is a no-op. This and every other write answer the
   * session in summary, so that the answer stays small whatever the session holds.
   */
  CompletionStage<SessionSummary> close(String tenant, String sessionId, Caller caller);

  CompletionStage<SessionSummary> writeMemory(
      String tenant, String sessionId, Caller caller, String key, JsonNode value);

  CompletionStage<SessionSummary> deleteMemory(
      String tenant, String sessionId, Caller caller, String key);

  /**
   * Connects (or replaces) a tool. An MCP server is asked for its tools first, and only for a
   * caller who may see the session; one that cannot be reached is refused (INVALID, field url).
   */
  CompletionStage<SessionSummary> connectTool(
      String tenant, String sessionId, Caller caller, ToolConnection tool);

  /** The tenant's policy, the ceiling over every session's (any principal of the tenant). */
  CompletionStage<TenantPolicy> tenantPolicy(String tenant, Caller caller);

  /**
   * The tenant's monthly budgets and what its sessions spent this calendar month (UTC), read from
   * its entities now (decision 0045); any principal of the tenant may read it.
   */
  default CompletionStage<TenantMonth> tenantMonth(String tenant, Caller caller) {
    return java.util.concurrent.CompletableFuture.failedFuture(
        new UnsupportedOperationException("no tenant months here"));
  }

  /** Replaces the tenant's policy; refused (FORBIDDEN, role_missing) unless by an operator. */
  CompletionStage<TenantPolicy> replaceTenantPolicy(
      String tenant, Caller caller, TenantPolicy policy);

  /**
   * Suspends the caller's tenant (decision 0042): every session of it, on every node, starts no
   * model or tool call within 5 s and takes no message (409 tenant_suspended) until {@link
   * #resumeTenant}; refused (FORBIDDEN, role_missing) unless by an operator. Replies the policy.
   */
  CompletionStage<TenantPolicy> suspendTenant(String tenant, Caller caller);

  /** Resumes the tenant: each session goes on where it stood. Operator only. */
  CompletionStage<TenantPolicy> resumeTenant(String tenant, Caller caller);

  CompletionStage<SessionSummary> disconnectTool(
      String tenant, String sessionId, Caller caller, String name);

  CompletionStage<SessionSummary> changePermissions(
      String tenant, String sessionId, Caller caller, PermissionPolicy permissions);

  /**
   * Replaces the session's agent and/or metadata (null: unchanged), as the Agents API's session
   * update does; a turn under way takes the new agent at its next model call.
   */
  default CompletionStage<SessionSummary> updateSession(
      String tenant,
      String sessionId,
      Caller caller,
      AgentDefinition agent,
      java.util.Map<String, String> metadata) {
    throw new UnsupportedOperationException("updateSession");
  }

  /**
   * Sends a user message, which opens (or queues) a turn. With a {@code wait} above zero the answer
   * comes once the turn settles (ends, or pauses for an approval or for the client's results), or
   * as the turn stands when the wait is over; with zero, as soon as the message is accepted. {@code
   * idempotencyKey} may be null.
   *
   * <p>With {@link OnBusy#STEER} and a turn active, the message steers that turn and the answer is
   * that turn (decision 0024): it reaches the turn's next model call. A turn that waits for a
   * human, or is being ended, cannot take it: refused (CONFLICT, {@code
   * active_turn_not_steerable}), nothing journaled. With no turn active it opens a turn as {@link
   * OnBusy#QUEUE} does.
   */
  CompletionStage<Turn> send(
      String tenant,
      String sessionId,
      Caller caller,
      String content,
      OnBusy onBusy,
      String idempotencyKey,
      Duration wait);

  CompletionStage<Turn> getTurn(String tenant, String sessionId, Caller caller, String turnId);

  /**
   * {@code seen} once it settles, or as it stands after {@code wait}; at once if it has settled.
   */
  CompletionStage<Turn> awaitTurn(
      String tenant, String sessionId, Caller caller, Turn seen, Duration wait);

  /** The turns newest first, {@code limit} of them after {@code afterTurnId} (nullable). */
  CompletionStage<SessionReply.TurnList> listTurns(
      String tenant, String sessionId, Caller caller, int limit, String afterTurnId);

  /** Ends a queued or running turn; an ended turn is a conflict. */
  CompletionStage<Turn> cancelTurn(String tenant, String sessionId, Caller caller, String turnId);

  /**
   * Ends the active turn, whichever it is (the OpenAI Agents API's cancel names no turn): the turn
   * as cancelled, or empty when no turn was active (nothing changes). Calls of the turn that wait
   * for an approval or for the client are cancelled; a call in flight follows the in-doubt rules
   * (decisions 0016, 0034): the turn then stays active, told to end, until each is decided. Keyed
   * like every write ({@link #keyed}).
   */
  CompletionStage<Optional<Turn>> cancelActiveTurn(String tenant, String sessionId, Caller caller);

  /**
   * The client's outcome of a function call it ran (decision 0023), journaled as the call's
   * outcome; the turn goes on once every call of its step has one. Answers the turn as it stands
   * after. A call that does not wait for the client (never asked, answered already, of another
   * turn, ended with its turn) is refused with {@link SessionRefused}: kind INVALID, code {@code
   * unknown_tool_call}, message exactly {@code "Unknown pending tool call: <callId>"}, field {@code
   * callId}; nothing is journaled and nothing is kept under the idempotency key, so a retry with
   * the same key once the call is registered is processed. An output or error over {@code
   * max-tool-result-size} is refused (TOO_LARGE). With {@link #keyed} an accepted result repeated
   * under its key answers as the first did and changes nothing.
   */
  CompletionStage<Turn> submitToolResult(
      String tenant, String sessionId, Caller caller, ClientToolResult result);

  /**
   * A page of the transcript: at most {@code limit} messages after sequence number {@code after}
   * (0: from the start), fewer when more would not fit a page's bytes; its {@code nextAfter} is
   * where the next page starts, null on the last.
   */
  CompletionStage<SessionReply.TranscriptFound> transcript(
      String tenant, String sessionId, Caller caller, long after, int limit);

  /** The approvals waiting for a decision. */
  CompletionStage<List<Approval>> approvals(String tenant, String sessionId, Caller caller);

  /** See {@link SessionCommand.DecideApproval} for the decisions; {@code result} may be null. */
  CompletionStage<Approval> decideApproval(
      String tenant,
      String sessionId,
      Caller caller,
      String approvalId,
      String decision,
      String comment,
      JsonNode result);

  /** Operator only, as are resume, terminate and erase. {@code reason} may be null. */
  CompletionStage<SessionSummary> suspend(
      String tenant, String sessionId, Caller caller, String reason);

  CompletionStage<SessionSummary> resume(String tenant, String sessionId, Caller caller);

  CompletionStage<SessionSummary> terminate(String tenant, String sessionId, Caller caller);

  /** Erases the session; answers its id once nothing of it but a tombstone is left. */
  CompletionStage<String> erase(String tenant, String sessionId, Caller caller);

  /**
   * The session's events journaled after {@code after} (0: all), read from the journal, then live
   * ones and the model's text as it streams, each event once and in order. Fails (before any
   * stream) when the caller may not see the session. The source ends when its consumer cancels it.
   *
   * @param requestId names the request in the stream's log lines
   */
  CompletionStage<Source<StreamItem, NotUsed>> events(
      String tenant, String sessionId, Caller caller, long after, String requestId);

  /**
   * The session as {@link #get} shows it but without its memory and the tools discovered on its MCP
   * servers ({@code tools} keep their names and kinds): one small answer, no stream of parts. Fails
   * as {@link #get} does.
   */
  default CompletionStage<SessionView> glance(String tenant, String sessionId, Caller caller) {
    return get(tenant, sessionId, caller);
  }

  /**
   * The session at a glance ({@link #glance}) and its {@link #events} from that glance on (after
   * its {@code lastSeq}), subscribed with the same ask that read it, so nothing journaled between
   * the two is missed or doubled. Fails (before any stream) as {@link #glance} does.
   */
  default CompletionStage<Followed> follow(
      String tenant, String sessionId, Caller caller, String requestId) {
    return glance(tenant, sessionId, caller)
        .thenCompose(
            view ->
                events(tenant, sessionId, caller, view.lastSeq(), requestId)
                    .thenApply(items -> new Followed(view, items)));
  }

  /** What {@link #follow} opens: the session as it stood, and its events from then on. */
  record Followed(SessionView view, Source<StreamItem, NotUsed> events) {}

  /**
   * The node ({@code host:port}) that hosted the session when it last answered through this node;
   * empty before it has.
   */
  Optional<String> hostOf(String tenant, String sessionId);

  /** The budgets of an agent that names none. */
  Limits defaultLimits();

  /**
   * Whether {@code model} names one of the node's model providers (a stub knows every name); a
   * session naming another fails its turns with model_unavailable, so the Agents API refuses it.
   */
  default boolean knowsModel(String model) {
    return true;
  }

  /**
   * Sets a schedule on the session (decision 0037): its message starts a turn when due. Fails with
   * {@link SessionRefused}: the session is not the caller's to see (not found), or the request is
   * invalid (the field named).
   */
  default CompletionStage<Schedule> createSchedule(
      String tenant, String sessionId, Caller caller, ScheduleRules.Request request) {
    return java.util.concurrent.CompletableFuture.failedStage(
        new UnsupportedOperationException("schedules"));
  }

  /** The session's schedules, in the order they were set. */
  default CompletionStage<List<Schedule>> listSchedules(
      String tenant, String sessionId, Caller caller) {
    return java.util.concurrent.CompletableFuture.failedStage(
        new UnsupportedOperationException("schedules"));
  }

  /** Removes schedule {@code scheduleId}; fails with {@link SessionRefused} when none is. */
  default CompletionStage<Void> deleteSchedule(
      String tenant, String sessionId, Caller caller, String scheduleId) {
    return java.util.concurrent.CompletableFuture.failedStage(
        new UnsupportedOperationException("schedules"));
  }
}
