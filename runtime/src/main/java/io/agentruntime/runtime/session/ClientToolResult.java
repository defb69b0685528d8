package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * What a client submits for a function call it ran (decision 0023): the call ({@code turnId},
 * {@code callId}, as the session listed it in its pending client calls), and either a success with
 * its {@code output} (a JSON string, JSON content parts such as {@code [{"type":"input_text",
 * "text":...}]}, or null for JSON null) or a failure with its {@code error} text (null: a default
 * message). The output is shown to the model as the call's result.
 */
public record ClientToolResult(
    String turnId, String callId, boolean success, JsonNode output, String error) {

  public static ClientToolResult succeeded(String turnId, String callId, JsonNode output) {
    return new ClientToolResult(turnId, callId, true, output, null);
  }

  public static ClientToolResult succeeded(String turnId, String callId, String output) {
    return succeeded(turnId, callId, output == null ? null : TextNode.valueOf(output));
  }

  public static ClientToolResult failed(String turnId, String callId, String error) {
    return new ClientToolResult(turnId, callId, false, null, error);
  }
}
