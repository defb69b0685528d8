package io.agentruntime.http.request;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Finds text that is not Unicode: a JSON escape such as {@code "\ud800"} parses into a string with
 * an unpaired surrogate, which no UTF-8 encoder accepts. The journal's CBOR writer refuses it, as
 * would the JSON of a model call, so such a request must be refused before it reaches a session.
 */
final class UnpairedSurrogates {

  private UnpairedSurrogates() {}

  /**
   * The path of the first field name or string value in {@code tree} with an unpaired surrogate.
   */
  static Optional<String> find(JsonNode tree) {
    return find(tree, "");
  }

  private static Optional<String> find(JsonNode node, String path) {
    if (node.isTextual()) {
      return broken(node.textValue())
          ? Optional.of(path.isEmpty() ? "the request body" : path)
          : Optional.empty();
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        Optional<String> found = find(node.get(i), path + "[" + i + "]");
        if (found.isPresent()) {
          return found;
        }
      }
    }
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
        if (broken(field.getKey())) {
          return Optional.of(path.isEmpty() ? "a field name" : "a field name in " + path);
        }
        Optional<String> found = find(field.getValue(), at);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  private static boolean broken(String s) {
    return io.agentruntime.runtime.session.UnpairedSurrogates.present(s);
  }
}
