package io.agentruntime.runtime.tools;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Optional;

/** A tool's secret, echoed back in what the tool answered, taken out before it is journaled. */
final class EchoedSecrets {

  static final String REDACTED = "[redacted]";

  /**
   * The shortest start of a secret taken out at the end of a text that was cut: shorter ones tell
   * nothing, and would blot out ordinary text.
   */
  private static final int MIN_PREFIX = 3;

  /** How {@link ToolFailures#excerpt} marks a cut. */
  private static final String ELLIPSIS = "...";

  private EchoedSecrets() {}

  /**
   * The outcome with every occurrence of the bearer secret replaced: a tool that echoes its token
   * back, in an error or a result, must not get it journaled. Results are searched value by value
   * (a secret with a quote or a backslash is escaped in the serialized form), messages for the
   * secret as it is and as JSON escapes it.
   */
  static ToolResult redacted(ToolResult outcome, Optional<String> secret) {
    if (secret.isEmpty() || secret.get().isEmpty()) {
      return outcome;
    }
    String value = secret.get();
    if (outcome instanceof ToolResult.Failed f && f.message() != null) {
      String message = text(f.message(), secret);
      return message.equals(f.message()) ? outcome : new ToolResult.Failed(f.code(), message);
    }
    if (outcome instanceof ToolResult.Succeeded ok && ok.result() != null) {
      JsonNode result = redacted(ok.result(), value);
      return result.equals(ok.result()) ? outcome : new ToolResult.Succeeded(result);
    }
    return outcome;
  }

  /**
   * {@code text} with the secret taken out: as it is, as JSON escapes it, as a one-line excerpt
   * collapses its spaces; and a start of it at the very end, or just before the {@code ...} of an
   * excerpt (where a cut went through it). Best run before any truncation too.
   */
  static String text(String text, Optional<String> secret) {
    if (text == null || secret.isEmpty() || secret.get().isEmpty()) {
      return text;
    }
    String value = secret.get();
    List<String> forms =
        List.of(
                value,
                new String(JsonStringEncoder.getInstance().quoteAsString(value)),
                value.replaceAll("\\s+", " "))
            .stream()
            .distinct()
            .toList();
    String out = text;
    for (String form : forms) {
      out = out.replace(form, REDACTED);
    }
    for (String form : forms) {
      out = withoutTrailingStart(out, form);
    }
    return out;
  }

  private static String withoutTrailingStart(String text, String value) {
    String cut =
        text.endsWith(ELLIPSIS) ? text.substring(0, text.length() - ELLIPSIS.length()) : "";
    String end = cut.isEmpty() ? text : cut;
    for (int n = Math.min(value.length() - 1, end.length()); n >= MIN_PREFIX; n--) {
      if (end.regionMatches(end.length() - n, value, 0, n)) {
        return end.substring(0, end.length() - n) + REDACTED + (cut.isEmpty() ? "" : ELLIPSIS);
      }
    }
    return text;
  }

  private static JsonNode redacted(JsonNode node, String value) {
    if (node.isTextual()) {
      return node.textValue().contains(value)
          ? TextNode.valueOf(node.textValue().replace(value, REDACTED))
          : node;
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
