package io.agentruntime.http.agents;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.error.ApiError;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A cursor page of the Agents API (section 2.1): {@code object}, {@code data}, {@code first_id},
 * {@code last_id} (the id of the last element, which the Java SDK pages on) and {@code has_more};
 * asked with {@code after} (exclusive, in the order asked), {@code limit} (1 to 100, default 20)
 * and {@code order} ({@code asc} or {@code desc}, default desc). Pure: table-tested.
 */
public record CursorPage(Optional<String> after, int limit, boolean newestFirst) {

  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");

  /** The query's values, checked: a bad one is a 400 naming it. */
  public static CursorPage of(
      Optional<String> after, Optional<String> limit, Optional<String> order) {
    int n =
        limit
            .map(
                v -> {
                  if (!DIGITS.matcher(v).matches()
                      || Integer.parseInt(v) < 1
                      || Integer.parseInt(v) > 100) {
                    throw ApiError.invalidField("limit", "limit must be an integer from 1 to 100");
                  }
                  return Integer.parseInt(v);
                })
            .orElse(20);
    boolean desc =
        order
            .map(
                v -> {
                  if (!v.equals("asc") && !v.equals("desc")) {
                    throw ApiError.invalidField("order", "order must be asc or desc");
                  }
                  return v.equals("desc");
                })
            .orElse(true);
    return new CursorPage(after.filter(a -> !a.isEmpty()), n, desc);
  }

  /**
   * The page of {@code oldestFirst} (objects with an {@code id}) this query asks for; an {@code
   * after} that names none of them is a 400.
   */
  public ObjectNode over(List<ObjectNode> oldestFirst) {
    List<ObjectNode> ordered = new ArrayList<>(oldestFirst);
    if (newestFirst) {
      Collections.reverse(ordered);
    }
    int start = 0;
    if (after.isPresent()) {
      start = -1;
      for (int i = 0; i < ordered.size(); i++) {
        if (after.get().equals(ordered.get(i).path("id").asText())) {
          start = i + 1;
          break;
        }
      }
      if (start < 0) {
        throw ApiError.invalidField("after", "after names no object of this list");
      }
    }
    int end = Math.min(ordered.size(), start + limit);
    return list(ordered.subList(start, end), end < ordered.size());
  }

  /** The list object of {@code data}. */
  public static ObjectNode list(List<ObjectNode> data, boolean hasMore) {
    ObjectNode page = AgentConfig.JSON.objectNode();
    page.put("object", "list");
    ArrayNode array = page.putArray("data");
    data.forEach(array::add);
    if (data.isEmpty()) {
      page.putNull("first_id");
      page.putNull("last_id");
    } else {
      page.put("first_id", data.get(0).path("id").asText());
      page.put("last_id", data.get(data.size() - 1).path("id").asText());
    }
    page.put("has_more", hasMore);
    return page;
  }
}
