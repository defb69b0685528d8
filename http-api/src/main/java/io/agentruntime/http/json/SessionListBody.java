package io.agentruntime.http.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.agentruntime.http.json.SessionBody.OwnerBody;
import io.agentruntime.http.json.SessionBody.UsageBody;
import io.agentruntime.runtime.directory.ListedUsage;
import io.agentruntime.runtime.directory.SessionPage;
import io.agentruntime.runtime.directory.SessionSummary;
import java.util.List;

/** A page of {@code GET /v1/sessions}; {@code nextCursor} is null on the last page. */
public record SessionListBody(List<Item> sessions, String nextCursor) {

  /**
   * One session; {@code usage} is what it had spent as of {@code updatedAt}, left out for a line
   * the directory wrote before it kept usage.
   */
  public record Item(
      String id,
      String status,
      OwnerBody owner,
      String createdAt,
      String updatedAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) UsageBody usage) {
    static Item of(SessionSummary s) {
      ListedUsage u = s.usage();
      return new Item(
          s.sessionId(),
          s.status(),
          new OwnerBody(s.tenant(), s.user()),
          SessionBody.time(s.createdAt()),
          SessionBody.time(s.updatedAt()),
          u == null
              ? null
              : new UsageBody(u.inputTokens(), u.outputTokens(), SessionBody.usd(u.costUsd())));
    }
  }

  public static SessionListBody of(SessionPage page) {
    return new SessionListBody(
        page.sessions().stream().map(Item::of).toList(), page.nextCursor().orElse(null));
  }
}
