package io.agentruntime.http.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The keys file: {@code [{"sha256": "<hex>", "tenant": "acme", "user": "ada", "roles": [...]}]}.
 * Parsing is all or nothing: one bad entry makes the whole file invalid, so a typo never silently
 * drops or changes a key.
 */
public final class KeysFile {

  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

  private KeysFile() {}

  /** The keys in {@code json}; throws {@link InvalidKeysFile} saying what is wrong. */
  public static List<ApiKey> parse(byte[] json) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new InvalidKeysFile("not valid JSON");
    }
    if (root == null || !root.isArray()) {
      throw new InvalidKeysFile("must be a JSON array of key entries");
    }
    List<ApiKey> keys = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < root.size(); i++) {
      ApiKey key = entry(root.get(i), "entry " + i);
      if (!seen.add(key.id())) {
        throw new InvalidKeysFile("entry " + i + ": the same sha256 appears twice");
      }
      keys.add(key);
    }
    return List.copyOf(keys);
  }

  private static ApiKey entry(JsonNode e, String where) {
    if (!e.isObject()) {
      throw new InvalidKeysFile(where + ": must be an object");
    }
    String hash = text(e, "sha256", where);
    if (!SHA256_HEX.matcher(hash).matches()) {
      throw new InvalidKeysFile(
          where + ": sha256 must be 64 hex digits (the hash of the key, never the key)");
    }
    String tenant = name(e, "tenant", where);
    String user = name(e, "user", where);
    JsonNode roles = e.get("roles");
    if (roles == null || !roles.isArray()) {
      throw new InvalidKeysFile(where + ": roles must be an array of user, approver, operator");
    }
    Set<Role> parsed = EnumSet.noneOf(Role.class);
    for (JsonNode r : roles) {
      parsed.add(
          Role.parse(r.isTextual() ? r.asText() : "")
              .orElseThrow(
                  () ->
                      new InvalidKeysFile(
                          where + ": unknown role " + r + " (user, approver, operator)")));
    }
    String id = hash.toLowerCase(Locale.ROOT);
    return new ApiKey(id, HexFormat.of().parseHex(id), new Principal(tenant, user, parsed, id));
  }

  private static String name(JsonNode e, String field, String where) {
    String value = text(e, field, where);
    if (!NAME.matcher(value).matches()) {
      throw new InvalidKeysFile(where + ": " + field + " must match " + NAME.pattern());
    }
    return value;
  }

  private static String text(JsonNode e, String field, String where) {
    JsonNode v = e.get(field);
    if (v == null || !v.isTextual()) {
      throw new InvalidKeysFile(where + ": " + field + " must be a string");
    }
    return v.asText();
  }

  /** Why a keys file cannot be used. */
  public static final class InvalidKeysFile extends RuntimeException {
    public InvalidKeysFile(String message) {
      super(message, null, false, false);
    }
  }
}
