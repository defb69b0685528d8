package io.agentruntime.runtime.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Optional;

/** A tool's secret, echoed back in what the tool answered, taken out before it is journaled. */
final class EchoedSecrets {

  private static final String REDACTED = "[redacted]";

  private EchoedSecrets() {}

  /**
   * The outcome with every occurrence of the bearer secret replaced: a tool that echoes its token
   * back, in an error or a result, must not get it journaled.
   */
  static ToolResult redacted(ToolResult outcome, Optional<String> secret) {
    if (secret.isEmpty() || secret.get().isEmpty()) {
      return outcome;
    }
    String value = secret.get();
    if (outcome instanceof ToolResult.Failed f
        && f.message() != null
        && f.message().contains(value)) {
      return new ToolResult.Failed(f.code(), f.message().replace(value, REDACTED));
    }
    if (outcome instanceof ToolResult.Succeeded ok
        && ok.result() != null
        && ok.result().toString().contains(value)) {
      return new ToolResult.Succeeded(redacted(ok.result(), value));
    }
    return outcome;
  }

  private static JsonNode redacted(JsonNode node, String value) {
    if (node.isTextual()) {
      return TextNode.valueOf(node.textValue().replace(value, REDACTED));
    }
    if (node.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(child -> copy.add(redacted(child, value)));
      return copy;
    }
    if (node.isObject()) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      node.fields()
          .forEachRemaining(
              e -> copy.set(e.getKey().replace(value, REDACTED), redacted(e.getValue(), value)));
      return copy;
    }
    return node;
  }
}
