package io.agentruntime.http.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.runtime.vault.Credential;
import io.agentruntime.runtime.vault.CredentialInput;
import io.agentruntime.runtime.vault.Vault;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The vault API's JSON, as OpenAI's Agents API has it (docs/vaults.md): vaults, credentials whose
 * {@code auth} never carries its secret, and the request bodies. A field of the wrong type is a 400
 * naming it ({@code param}), never quoting its value.
 */
public final class VaultJson {

  private VaultJson() {}

  /** {@code {"id","object":"vault","created_at","metadata","name","scope"}}. */
  public static ObjectNode vault(Vault v) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", v.id());
    o.put("object", "vault");
    o.put("created_at", v.createdAt());
    o.set("metadata", Json.MAPPER.valueToTree(v.metadata()));
    if (v.name() == null) {
      o.putNull("name");
    } else {
      o.put("name", v.name());
    }
    o.put("scope", v.tenantWide() ? "tenant" : "user");
    return o;
  }

  /** A credential; {@code auth} holds its type and server URL (and an OAuth token's expiry). */
  public static ObjectNode credential(String vaultId, Credential c) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", c.id());
    o.put("object", "vault.credential");
    o.put("vault_id", vaultId);
    o.put("name", c.name());
    o.set("metadata", Json.MAPPER.valueToTree(c.metadata()));
    o.put("created_at", c.createdAt());
    o.put("updated_at", c.updatedAt());
    ObjectNode auth = o.putObject("auth");
    auth.put("type", c.auth().type());
    auth.put("mcp_server_url", c.auth().mcpServerUrl());
    if (Credential.Auth.MCP_OAUTH.equals(c.auth().type())) {
      if (c.auth().expiresAt() == null) {
        auth.putNull("expires_at");
      } else {
        auth.put("expires_at", c.auth().expiresAt());
      }
    }
    return o;
  }

  public static ObjectNode deleted(String id, String object) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", id);
    o.put("deleted", true);
    o.put("object", object);
    return o;
  }

  /** A field that may be absent (empty), or given as a value or as null (present, null inside). */
  public static Optional<Optional<JsonNode>> field(ObjectNode body, String name) {
    if (!body.has(name)) {
      return Optional.empty();
    }
    JsonNode v = body.get(name);
    return Optional.of(v.isNull() ? Optional.empty() : Optional.of(v));
  }

  /** A string field: absent, null or a string. */
  public static Optional<String> string(ObjectNode body, String name, String param) {
    JsonNode v = body.get(name);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isTextual()) {
      throw ApiError.invalidField(param, param + " must be a string");
    }
    return Optional.of(v.textValue());
  }

  /** {@code metadata}: an object of strings; null is the empty map (it clears, on an update). */
  public static Map<String, String> metadata(JsonNode v) {
    Map<String, String> result = new LinkedHashMap<>();
    if (v == null || v.isNull()) {
      return result;
    }
    if (!v.isObject()) {
      throw ApiError.invalidField("metadata", "metadata must be an object of strings");
    }
    v.properties()
        .forEach(
            e -> {
              if (!e.getValue().isTextual()) {
                throw ApiError.invalidField(
                    "metadata." + e.getKey(), "metadata." + e.getKey() + " must be a string");
              }
              result.put(e.getKey(), e.getValue().textValue());
            });
    return result;
  }

  /** An {@code auth} object of a create or rotate body. */
  public static CredentialInput.Auth auth(JsonNode v) {
    if (v == null || !v.isObject()) {
      throw ApiError.invalidField("auth", "auth must be an object with a type");
    }
    ObjectNode o = (ObjectNode) v;
    String type = string(o, "type", "auth.type").orElse(null);
    String secretField = Credential.Auth.MCP_OAUTH.equals(type) ? "access_token" : "token";
    return new CredentialInput.Auth(
        type,
        string(o, "mcp_server_url", "auth.mcp_server_url").orElse(null),
        string(o, secretField, "auth." + secretField).orElse(null),
        string(o, "expires_at", "auth.expires_at").orElse(null),
        o.hasNonNull("refresh"));
  }
}
