package io.agentruntime.runtime.session;

import java.util.ArrayList;
import java.util.List;

/**
 * Events planned to be persisted together, with the state they lead to, so that each decision in a
 * batch sees the ones before it. Persisted as one atomic write.
 */
final class EventBatch {

  private final List<SessionEvent> events = new ArrayList<>();
  private SessionState state;

  EventBatch(SessionState state) {
    this.state = state;
  }

  EventBatch add(SessionEvent event) {
    events.add(event);
    state = state.apply(event);
    return this;
  }

  SessionState state() {
    return state;
  }

  List<SessionEvent> events() {
    return List.copyOf(events);
  }

  boolean isEmpty() {
    return events.isEmpty();
  }
}
