package io.agentruntime.http.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.runtime.session.ClientToolResult;

/**
 * The body of {@code POST .../turns/{turnId}/tool-results}: the outcome of a function call the
 * client ran (decision 0023), {@code {"callId", "success": true, "output"}} where output is a
 * string, an array of content parts or null, or {@code {"callId", "success": false, "error"}}.
 */
public final class ToolResultRequest {

  private ToolResultRequest() {}

  public static ClientToolResult read(String turnId, JsonNode json) {
    ObjectNode body = Fields.body(json);
    String callId = Fields.requiredString(body, "callId", "");
    boolean success = Fields.bool(body, "success", "").orElseThrow(() -> Fields.missing("success"));
    if (success) {
      JsonNode output = Fields.value(body, "output").orElse(null);
      if (output != null && !output.isNull() && !output.isTextual() && !output.isArray()) {
        throw ApiError.invalidField(
            "output", "output must be a string, an array of content parts, or null");
      }
      return ClientToolResult.succeeded(turnId, callId, output);
    }
    return ClientToolResult.failed(turnId, callId, Fields.string(body, "error", "").orElse(null));
  }
}
