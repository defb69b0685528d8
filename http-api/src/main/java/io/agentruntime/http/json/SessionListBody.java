package io.agentruntime.http.json;

import io.agentruntime.http.json.SessionBody.OwnerBody;
import io.agentruntime.runtime.directory.SessionPage;
import io.agentruntime.runtime.directory.SessionSummary;
import java.util.List;

/** A page of {@code GET /v1/sessions}; {@code nextCursor} is null on the last page. */
public record SessionListBody(List<Item> sessions, String nextCursor) {

  public record Item(
      String id, String status, OwnerBody owner, String createdAt, String updatedAt) {
    static Item of(SessionSummary s) {
      return new Item(
          s.sessionId(),
          s.status(),
          new OwnerBody(s.tenant(), s.user()),
          SessionBody.time(s.createdAt()),
          SessionBody.time(s.updatedAt()));
    }
  }

  public static SessionListBody of(SessionPage page) {
    return new SessionListBody(
        page.sessions().stream().map(Item::of).toList(), page.nextCursor().orElse(null));
  }
}
