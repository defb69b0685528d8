package io.agentruntime.http.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.session.AgentDefinition;
import io.agentruntime.runtime.session.Owner;
import io.agentruntime.runtime.session.SessionView;
import io.agentruntime.runtime.session.Turn;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A session as {@code GET /v1/sessions/{id}} shows it. {@code currentTurn} is null when none;
 * {@code pendingClientCalls} are the function calls that wait for the client's results (decision
 * 0023).
 */
public record SessionBody(
    String id,
    String status,
    OwnerBody owner,
    AgentBody agent,
    String createdAt,
    String updatedAt,
    long lastSeq,
    TurnRef currentTurn,
    long queuedMessages,
    Map<String, JsonNode> memory,
    List<ToolBody> tools,
    PermissionsBody permissions,
    Map<String, String> metadata,
    int pendingApprovals,
    UsageBody usage,
    List<TurnBody.ClientCallBody> pendingClientCalls,
    List<String> vaultIds) {

  public record OwnerBody(String tenant, String user) {
    static OwnerBody of(Owner owner) {
      return new OwnerBody(owner.tenant(), owner.user());
    }
  }

  public record AgentBody(String instructions, String model, LimitsBody limits) {}

  public record LimitsBody(int maxStepsPerTurn, int maxTurnSeconds, long maxSessionTokens) {}

  public record TurnRef(String id, String status) {}

  public record PermissionsBody(Map<String, Object> tools) {}

  public record UsageBody(long inputTokens, long outputTokens) {}

  public static SessionBody of(SessionView s) {
    Map<String, Object> policy = PermissionsRequest.wire(s.permissions());
    Turn current = s.currentTurn();
    return new SessionBody(
        s.id(),
        s.status().wireName(),
        OwnerBody.of(s.owner()),
        agent(s.agent()),
        time(s.createdAt()),
        time(s.updatedAt()),
        s.lastSeq(),
        current == null ? null : new TurnRef(current.id(), current.status().wireName()),
        s.queuedMessages(),
        new LinkedHashMap<>(s.memory()),
        s.tools().stream().map(ToolBody::of).toList(),
        new PermissionsBody(policy),
        new LinkedHashMap<>(s.metadata()),
        s.pendingApprovals(),
        new UsageBody(s.usage().inputTokens(), s.usage().outputTokens()),
        s.pendingClientCalls().stream().map(TurnBody.ClientCallBody::of).toList(),
        s.vaultIds());
  }

  private static AgentBody agent(AgentDefinition a) {
    return new AgentBody(
        a.instructions(),
        a.model(),
        new LimitsBody(
            a.limits().maxStepsPerTurn(),
            a.limits().maxTurnSeconds(),
            a.limits().maxSessionTokens()));
  }

  static String time(Instant at) {
    return at == null ? null : at.toString();
  }
}
