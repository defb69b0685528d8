package io.agentruntime.runtime.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.runtime.session.LifecycleNotice;

/**
 * The body of a delivery (pure): the Agents API's event envelope {@code {"id","object":"event",
 * "type","created_at","data"}}, the same bytes on every try. {@code data} is {@code {"id":
 * <session>, "environment_type":"none"}}, or for {@code action_required} {@code {"id",
 * "required_action":{"type"}}}. Our own events (decision 0036) carry their own {@code data}; a
 * {@code decisionUrl} in it is made absolute with the node's public base URL when one is set.
 */
public final class WebhookPayload {

  private static final ObjectMapper JSON = new ObjectMapper();

  private WebhookPayload() {}

  public static byte[] body(LifecycleNotice e) {
    return body(e, "");
  }

  /** The body, decision URLs made absolute under {@code publicBaseUrl} (empty: left as paths). */
  public static byte[] body(LifecycleNotice e, String publicBaseUrl) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", e.eventId());
    root.put("object", "event");
    root.put("type", e.type());
    root.put("created_at", e.at().getEpochSecond());
    if (e.data() != null) {
      ObjectNode data = e.data().deepCopy();
      if (!publicBaseUrl.isEmpty() && data.path("decisionUrl").isTextual()) {
        data.put("decisionUrl", publicBaseUrl + data.get("decisionUrl").asText());
      }
      root.set("data", data);
      return bytes(root);
    }
    ObjectNode data = root.putObject("data");
    data.put("id", e.sessionId());
    if (LifecycleNotice.ACTION_REQUIRED.equals(e.type())) {
      data.putObject("required_action").put("type", e.requiredAction());
    } else {
      data.put("environment_type", "none");
    }
    return bytes(root);
  }

  private static byte[] bytes(ObjectNode root) {
    try {
      return JSON.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new IllegalStateException("a tree of strings and numbers always writes", ex);
    }
  }
}
