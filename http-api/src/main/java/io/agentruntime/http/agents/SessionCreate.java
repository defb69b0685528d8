package io.agentruntime.http.agents;

import static io.agentruntime.http.json.Fields.array;
import static io.agentruntime.http.json.Fields.bool;
import static io.agentruntime.http.json.Fields.object;
import static io.agentruntime.http.json.Fields.requiredString;
import static io.agentruntime.http.json.Fields.string;
import static io.agentruntime.http.json.Fields.value;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.json.Fields;
import io.agentruntime.runtime.agents.SavedAgent;
import io.agentruntime.runtime.session.AgentDefinition;
import io.agentruntime.runtime.session.Limits;
import io.agentruntime.runtime.session.PermissionPolicy;
import io.agentruntime.runtime.session.SessionSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The body of {@code POST /v1/agents/sessions} (section 2.3), checked: environment {@code none}
 * only, a saved agent's id and/or an inline agent (whose fields override the saved one's), an
 * optional first input, metadata, {@code stream} and the vaults its tools may take credentials from
 * ({@code vault_ids}, checked by the sessions when it is made). Automatic review is refused until
 * it is supported, never ignored. Pure: table-tested.
 */
public record SessionCreate(
    Optional<String> agentId,
    ObjectNode agent,
    Optional<String> input,
    ObjectNode metadata,
    boolean stream,
    List<String> vaultIds) {

  public static SessionCreate read(JsonNode json) {
    ObjectNode body = Fields.body(json);
    object(body, "environment", "")
        .ifPresent(
            env -> {
              String type = requiredString(env, "type", "environment");
              if (!type.equals("none")) {
                throw ApiError.invalidField(
                    "environment.type",
                    "environment type '"
                        + type
                        + "' is not supported here: only {\"type\": \"none\"} (hosted and"
                        + " self-hosted environments are left out for now)");
              }
            });
    List<String> vaultIds = new ArrayList<>();
    array(body, "vault_ids", "")
        .ifPresent(
            ids ->
                ids.forEach(
                    id -> {
                      if (!id.isTextual() || id.asText().isBlank()) {
                        throw ApiError.invalidField(
                            "vault_ids", "vault_ids must be a list of vault ids");
                      }
                      vaultIds.add(id.asText());
                    }));
    string(body, "review", "")
        .filter(r -> !r.equals("none"))
        .ifPresent(
            r -> {
              throw ApiError.invalidField(
                  "review", "automatic review is not supported here: review must be none");
            });
    Optional<String> agentId = string(body, "agent_id", "");
    ObjectNode agent = object(body, "agent", "").orElse(AgentConfig.JSON.objectNode());
    if (agentId.isEmpty() && string(agent, "model", "agent").isEmpty()) {
      throw ApiError.invalidField(
          "agent.model", "agent.model is required when no agent_id is given");
    }
    Optional<String> input = value(body, "input").map(i -> InputEvent.messageText(i, "input"));
    return new SessionCreate(
        agentId,
        agent,
        input,
        AgentConfig.metadata(body, ""),
        bool(body, "stream", "").orElse(false),
        vaultIds);
  }

  /**
   * The session's agent as its object echoes it: {@code saved}'s configuration (or the defaults)
   * with the inline agent's fields over it, and the saved agent's id (null for an inline one).
   */
  public ObjectNode profile(Optional<SavedAgent> saved, Predicate<String> modelKnown) {
    ObjectNode base =
        saved.map(s -> ((ObjectNode) s.body()).deepCopy()).orElseGet(AgentConfig::defaults);
    ObjectNode overrides = agent.deepCopy();
    overrides.remove("metadata");
    overrides.remove("name");
    ObjectNode profile = AgentConfig.apply(base, overrides, "agent", modelKnown);
    profile.remove("metadata");
    ObjectNode withId = AgentConfig.JSON.objectNode();
    withId.set("id", AgentConfig.nullOr(saved.map(SavedAgent::id).orElse(null)));
    withId.setAll(profile);
    return withId;
  }

  /** Our session made of {@code profile}: its instructions, model, tools and their policy. */
  public SessionSpec spec(ObjectNode profile, Limits limits) {
    Map<String, String> meta = new LinkedHashMap<>();
    metadata.properties().forEach(e -> meta.put(e.getKey(), e.getValue().asText()));
    JsonNode instructions = profile.get("instructions");
    return new SessionSpec(
        new AgentDefinition(
            instructions == null || instructions.isNull() ? "" : instructions.asText(),
            profile.get("model").asText(),
            limits,
            profile),
        AgentTools.connections(profile.get("tools")),
        new PermissionPolicy(AgentTools.permissions(profile.get("tools"))),
        Map.of(),
        meta,
        vaultIds);
  }
}
