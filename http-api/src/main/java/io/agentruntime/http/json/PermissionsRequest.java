package io.agentruntime.http.json;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.runtime.session.Permission;
import io.agentruntime.runtime.session.PermissionPolicy;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A permission policy as a client sends it: {@code {"tools": {"send_email": "ask", "*": "allow"}}}.
 */
public final class PermissionsRequest {

  private PermissionsRequest() {}

  /**
   * {@code tools} names the object of tool name to {@code allow|ask|deny}, e.g. {@code
   * permissions.tools}.
   */
  public static PermissionPolicy read(ObjectNode tools, String path) {
    Map<String, Permission> byTool = new LinkedHashMap<>();
    tools
        .properties()
        .forEach(
            e -> {
              String field = path + "." + e.getKey();
              String name = Fields.asString(e.getValue(), field);
              byTool.put(
                  e.getKey(),
                  Permission.parse(name)
                      .orElseThrow(
                          () -> ApiError.invalidField(field + " must be allow, ask or deny")));
            });
    return new PermissionPolicy(byTool);
  }

  /** The body of {@code PUT .../permissions}. */
  public static PermissionPolicy body(ObjectNode body) {
    return read(
        Fields.object(body, "tools", "").orElseThrow(() -> Fields.missing("tools")), "tools");
  }
}
