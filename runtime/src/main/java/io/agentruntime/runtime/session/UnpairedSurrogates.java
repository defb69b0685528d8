package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Text that is not Unicode: a JSON escape such as {@code "\ud800"} parses into a Java string with
 * an unpaired surrogate, which no UTF-8 or CBOR writer accepts; an event holding one cannot be
 * journaled. What a model or a tool answers is repaired (each unpaired surrogate becomes U+FFFD, as
 * a lenient UTF-8 decoder would do) before it is journaled; the API refuses such requests.
 */
public final class UnpairedSurrogates {

  private static final char REPLACEMENT = '\uFFFD';

  private UnpairedSurrogates() {}

  /** Whether {@code s} holds an unpaired surrogate. */
  public static boolean present(String s) {
    if (s == null) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code s} with each unpaired surrogate replaced by U+FFFD ({@code s} itself when there is
   * none).
   */
  public static String replaced(String s) {
    if (!present(s)) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        out.append(c).append(s.charAt(++i));
      } else {
        out.append(Character.isSurrogate(c) ? REPLACEMENT : c);
      }
    }
    return out.toString();
  }

  /**
   * {@code node} with every field name and string repaired ({@code node} itself when nothing needs
   * it).
   */
  public static JsonNode replaced(JsonNode node) {
    if (node == null || !needsRepair(node)) {
      return node;
    }
    if (node.isTextual()) {
      return TextNode.valueOf(replaced(node.textValue()));
    }
    if (node.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode(node.size());
      node.forEach(child -> copy.add(replaced(child)));
      return copy;
    }
    ObjectNode copy = JsonNodeFactory.instance.objectNode();
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      copy.set(replaced(field.getKey()), replaced(field.getValue()));
    }
    return copy;
  }

  private static boolean needsRepair(JsonNode node) {
    if (node.isTextual()) {
      return present(node.textValue());
    }
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (present(field.getKey()) || needsRepair(field.getValue())) {
          return true;
        }
      }
      return false;
    }
    for (JsonNode child : node) {
      if (needsRepair(child)) {
        return true;
      }
    }
    return false;
  }
}
