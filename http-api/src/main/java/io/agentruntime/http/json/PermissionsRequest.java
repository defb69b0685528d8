package io.agentruntime.http.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.runtime.session.Approval;
import io.agentruntime.runtime.session.Permission;
import io.agentruntime.runtime.session.PermissionPolicy;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A permission policy as a client sends it: {@code {"tools": {"send_email": "ask", "*": "allow"}}}.
 * A session's policy entry may also be an object that says what an approval of the tool does when
 * nobody decides in time (decision 0036): {@code {"permission": "ask", "onExpiry": "fail"}} ({@code
 * onExpiry} deny or fail, default deny).
 */
public final class PermissionsRequest {

  private PermissionsRequest() {}

  /**
   * {@code tools} names the object of tool name to {@code allow|ask|deny}, e.g. {@code
   * permissions.tools}; with {@code withOnExpiry} an entry may be the object form.
   */
  public static PermissionPolicy read(ObjectNode tools, String path, boolean withOnExpiry) {
    Map<String, Permission> byTool = new LinkedHashMap<>();
    Map<String, String> onExpiry = new LinkedHashMap<>();
    tools
        .properties()
        .forEach(
            e -> {
              String field = path + "." + e.getKey();
              JsonNode entry = e.getValue();
              if (withOnExpiry && entry.isObject()) {
                ObjectNode o = (ObjectNode) entry;
                byTool.put(
                    e.getKey(),
                    permission(
                        Fields.requiredString(o, "permission", field), field + ".permission"));
                Fields.string(o, "onExpiry", field)
                    .ifPresent(
                        v -> {
                          if (!Approval.ON_EXPIRY_DENY.equals(v)
                              && !Approval.ON_EXPIRY_FAIL.equals(v)) {
                            throw ApiError.invalidField(
                                field + ".onExpiry", field + ".onExpiry must be deny or fail");
                          }
                          onExpiry.put(e.getKey(), v);
                        });
              } else {
                byTool.put(e.getKey(), permission(Fields.asString(entry, field), field));
              }
            });
    return new PermissionPolicy(byTool, onExpiry);
  }

  /** A tenant's ceiling: a permission per tool, no more. */
  public static PermissionPolicy read(ObjectNode tools, String path) {
    return read(tools, path, false);
  }

  private static Permission permission(String name, String field) {
    return Permission.parse(name)
        .orElseThrow(() -> ApiError.invalidField(field, field + " must be allow, ask or deny"));
  }

  /** The body of {@code PUT .../permissions}. */
  public static PermissionPolicy body(ObjectNode body) {
    return read(
        Fields.object(body, "tools", "").orElseThrow(() -> Fields.missing("tools")), "tools", true);
  }

  /**
   * The policy as the API shows it: each tool's permission, as an object with {@code onExpiry}
   * where the policy names one.
   */
  public static Map<String, Object> wire(PermissionPolicy policy) {
    Map<String, Object> tools = new LinkedHashMap<>();
    policy
        .tools()
        .forEach(
            (tool, permission) -> {
              String expiry = policy.onExpiry().get(tool);
              tools.put(
                  tool,
                  expiry == null
                      ? permission.wireName()
                      : Map.of("permission", permission.wireName(), "onExpiry", expiry));
            });
    return tools;
  }
}
