package io.agentruntime.runtime.session;

import java.util.List;

/**
 * What a pure decision of the session returns: the events to persist together, or a refusal. Both
 * at once is a refusal that still journals something (an approval decided after its deadline is
 * expired, then refused). Neither is nothing to do: the news was stale, or the change is a no-op.
 */
record Decision(List<SessionEvent> events, Problem refusal) {

  Decision {
    events = List.copyOf(events);
  }

  static Decision none() {
    return new Decision(List.of(), null);
  }

  static Decision refuse(Problem problem) {
    return new Decision(List.of(), problem);
  }

  static Decision of(SessionEvent event) {
    return new Decision(List.of(event), null);
  }

  /** The batch's events, refused for {@code problem} (null: not refused). */
  static Decision of(EventBatch batch, Problem problem) {
    return new Decision(batch.events(), problem);
  }

  static Decision of(EventBatch batch) {
    return of(batch, null);
  }

  boolean refused() {
    return refusal != null;
  }
}
