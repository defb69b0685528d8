package io.agentruntime.runtime.directory;

import java.util.List;
import java.util.Optional;

/** One page of a listing; {@code nextCursor} is empty on the last page. */
public record SessionPage(List<SessionSummary> sessions, Optional<String> nextCursor) {
  public SessionPage {
    sessions = List.copyOf(sessions);
  }
}
