package io.agentruntime.http.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.session.AgentDefinition;
import io.agentruntime.runtime.session.Limits;
import io.agentruntime.runtime.session.Owner;
import io.agentruntime.runtime.session.SessionView;
import io.agentruntime.runtime.session.Turn;
import io.agentruntime.runtime.session.Usage;
import java.math.BigDecimal;
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

  /** {@code maxSessionCost}: USD, 0 when the session's cost is not bounded. */
  public record LimitsBody(
      int maxStepsPerTurn, int maxTurnSeconds, long maxSessionTokens, BigDecimal maxSessionCost) {
    static LimitsBody of(Limits l) {
      return new LimitsBody(
          l.maxStepsPerTurn(),
          l.maxTurnSeconds(),
          l.maxSessionTokens(),
          l.costLimited() ? usd(l.maxSessionCost()) : BigDecimal.ZERO);
    }
  }

  public record TurnRef(String id, String status) {}

  public record PermissionsBody(Map<String, Object> tools) {}

  /**
   * {@code costUsd}: what the tokens cost at the prices configured when each reply came (replies of
   * providers without prices count 0).
   */
  public record UsageBody(long inputTokens, long outputTokens, BigDecimal costUsd) {
    static UsageBody of(Usage u) {
      return new UsageBody(u.inputTokens(), u.outputTokens(), usd(u.costUsd()));
    }
  }

  /** An amount of USD as the wire shows it: no trailing zeros, never in exponent notation. */
  public static BigDecimal usd(BigDecimal amount) {
    BigDecimal plain = amount.stripTrailingZeros();
    return plain.scale() < 0 ? plain.setScale(0) : plain;
  }

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
        UsageBody.of(s.usage()),
        s.pendingClientCalls().stream().map(TurnBody.ClientCallBody::of).toList(),
        s.vaultIds());
  }

  private static AgentBody agent(AgentDefinition a) {
    return new AgentBody(a.instructions(), a.model(), LimitsBody.of(a.limits()));
  }

  static String time(Instant at) {
    return at == null ? null : at.toString();
  }
}
