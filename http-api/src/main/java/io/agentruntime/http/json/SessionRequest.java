package io.agentruntime.http.json;

import static io.agentruntime.http.json.Fields.array;
import static io.agentruntime.http.json.Fields.asObject;
import static io.agentruntime.http.json.Fields.asString;
import static io.agentruntime.http.json.Fields.integer;
import static io.agentruntime.http.json.Fields.longInteger;
import static io.agentruntime.http.json.Fields.object;
import static io.agentruntime.http.json.Fields.string;
import static io.agentruntime.http.json.Fields.value;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.runtime.session.AgentDefinition;
import io.agentruntime.runtime.session.Limits;
import io.agentruntime.runtime.session.PermissionPolicy;
import io.agentruntime.runtime.session.SessionSpec;
import io.agentruntime.runtime.session.SessionValidation;
import io.agentruntime.runtime.tools.ToolConnection;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The body of {@code POST /v1/sessions} and {@code PUT /v1/sessions/{id}}: an optional client id
 * and what the session is made of. Absent parts take the defaults: model {@code default}, empty
 * instructions, the configured limits, no tools, an empty policy, memory and metadata.
 */
public record SessionRequest(Optional<String> id, SessionSpec spec) {

  public static SessionRequest read(JsonNode json, Limits defaultLimits) {
    ObjectNode body = Fields.body(json);
    Optional<String> id = string(body, "id", "").map(SessionRequest::checkedId);
    SessionSpec spec =
        new SessionSpec(
            agent(object(body, "agent", "").orElse(null), defaultLimits),
            tools(array(body, "tools", "").orElse(null)),
            permissions(object(body, "permissions", "").orElse(null)),
            memory(object(body, "memory", "").orElse(null)),
            metadata(object(body, "metadata", "").orElse(null)),
            vaultIds(array(body, "vaultIds", "").orElse(null)));
    return new SessionRequest(id, spec);
  }

  /** A session id from the body or the path: {@code [A-Za-z0-9_-]{1,64}}, else a 400. */
  public static String checkedId(String id) {
    if (!SessionValidation.SESSION_ID.matcher(id).matches()) {
      throw ApiError.invalidField("id must match " + SessionValidation.SESSION_ID.pattern());
    }
    return id;
  }

  private static AgentDefinition agent(ObjectNode agent, Limits defaults) {
    if (agent == null) {
      return new AgentDefinition("", "default", defaults);
    }
    ObjectNode limits = object(agent, "limits", "agent").orElse(null);
    Limits chosen =
        limits == null
            ? defaults
            : new Limits(
                integer(limits, "maxStepsPerTurn", "agent.limits")
                    .orElse(defaults.maxStepsPerTurn()),
                integer(limits, "maxTurnSeconds", "agent.limits").orElse(defaults.maxTurnSeconds()),
                longInteger(limits, "maxSessionTokens", "agent.limits")
                    .map(SessionRequest::tokenBudget)
                    .orElse(defaults.maxSessionTokens()),
                value(limits, "maxSessionCost")
                    .map(SessionRequest::costBudget)
                    .orElse(defaults.maxSessionCost()));
    return new AgentDefinition(
        string(agent, "instructions", "agent").orElse(""),
        string(agent, "model", "agent").orElse("default"),
        chosen);
  }

  private static long tokenBudget(long tokens) {
    if (tokens < 0) {
      throw ApiError.invalidField("agent.limits.maxSessionTokens must be 0 (no limit) or more");
    }
    return tokens;
  }

  private static BigDecimal costBudget(JsonNode usd) {
    String param = "agent.limits.maxSessionCost";
    if (!usd.isNumber()) {
      throw ApiError.invalidField(param, param + " must be a number (USD; 0: no limit)");
    }
    BigDecimal cost = usd.decimalValue();
    if (cost.signum() < 0) {
      throw ApiError.invalidField(param, param + " must be 0 (no limit) or more");
    }
    return cost;
  }

  private static List<ToolConnection> tools(ArrayNode tools) {
    List<ToolConnection> result = new ArrayList<>();
    if (tools != null) {
      for (int i = 0; i < tools.size(); i++) {
        String prefix = "tools[" + i + "]";
        result.add(ToolRequest.withName(asObject(tools.get(i), prefix), prefix));
      }
    }
    return result;
  }

  private static PermissionPolicy permissions(ObjectNode permissions) {
    if (permissions == null) {
      return PermissionPolicy.empty();
    }
    return object(permissions, "tools", "permissions")
        .map(tools -> PermissionsRequest.read(tools, "permissions.tools", true))
        .orElse(PermissionPolicy.empty());
  }

  private static Map<String, JsonNode> memory(ObjectNode memory) {
    Map<String, JsonNode> result = new LinkedHashMap<>();
    if (memory != null) {
      memory.properties().forEach(e -> result.put(e.getKey(), e.getValue()));
    }
    return result;
  }

  /** The vaults whose credentials the session's tools may use (docs/vaults.md): distinct ids. */
  private static List<String> vaultIds(ArrayNode ids) {
    List<String> result = new ArrayList<>();
    if (ids != null) {
      for (int i = 0; i < ids.size(); i++) {
        String id = asString(ids.get(i), "vaultIds[" + i + "]");
        if (id.isEmpty() || id.length() > 64) {
          throw ApiError.invalidField(
              "vaultIds[" + i + "]", "vaultIds[" + i + "] is not a vault id");
        }
        if (!result.contains(id)) {
          result.add(id);
        }
      }
    }
    return result;
  }

  private static Map<String, String> metadata(ObjectNode metadata) {
    Map<String, String> result = new LinkedHashMap<>();
    if (metadata != null) {
      metadata
          .properties()
          .forEach(e -> result.put(e.getKey(), asString(e.getValue(), "metadata." + e.getKey())));
    }
    return result;
  }
}
