package io.agentruntime.http.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.runtime.session.OnBusy;

/**
 * The body of {@code POST .../messages}: {@code {"content": "...", "onBusy":
 * "queue|reject|interrupt|steer"}}.
 */
public record MessageRequest(String content, OnBusy onBusy) {

  public static MessageRequest read(JsonNode json) {
    ObjectNode body = Fields.body(json);
    String content = Fields.requiredString(body, "content", "");
    OnBusy onBusy =
        Fields.string(body, "onBusy", "")
            .map(
                name ->
                    OnBusy.parse(name)
                        .orElseThrow(
                            () ->
                                ApiError.invalidField(
                                    "onBusy must be queue, reject, interrupt or steer")))
            .orElse(OnBusy.QUEUE);
    return new MessageRequest(content, onBusy);
  }
}
