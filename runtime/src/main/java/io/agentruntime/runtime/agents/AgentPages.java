package io.agentruntime.runtime.agents;

import java.util.ArrayList;
import java.util.List;

/** Cursor pages over agents in a given order: pure, so that they are table-tested. */
final class AgentPages {

  private AgentPages() {}

  /**
   * The agents of {@code ordered} after the one with id {@code after} (all when null, none when it
   * is not among them), at most {@code limit}, and no more than {@code maxBytes} of JSON (at least
   * one).
   */
  static AgentReply.Listed page(List<SavedAgent> ordered, String after, int limit, long maxBytes) {
    int start = 0;
    if (after != null) {
      start = ordered.size();
      for (int i = 0; i < ordered.size(); i++) {
        if (ordered.get(i).id().equals(after)) {
          start = i + 1;
          break;
        }
      }
    }
    List<SavedAgent> page = new ArrayList<>();
    long bytes = 0;
    int i = start;
    for (; i < ordered.size() && page.size() < limit; i++) {
      long size = ordered.get(i).body().toString().length();
      if (!page.isEmpty() && bytes + size > maxBytes) {
        break;
      }
      page.add(ordered.get(i));
      bytes += size;
    }
    return new AgentReply.Listed(page, i < ordered.size());
  }
}
