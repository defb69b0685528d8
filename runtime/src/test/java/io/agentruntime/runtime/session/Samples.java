package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.json;

import io.agentruntime.runtime.session.SessionEvent.MemoryDeleted;
import io.agentruntime.runtime.session.SessionEvent.MemoryWritten;
import io.agentruntime.runtime.session.SessionEvent.PermissionsChanged;
import io.agentruntime.runtime.session.SessionEvent.SessionClosed;
import io.agentruntime.runtime.session.SessionEvent.SessionCreated;
import io.agentruntime.runtime.session.SessionEvent.ToolConnected;
import io.agentruntime.runtime.session.SessionEvent.ToolDisconnected;
import io.agentruntime.runtime.session.SessionEvent.TurnCancelled;
import io.agentruntime.runtime.session.SessionEvent.UserMessageAccepted;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fixed sample values for serialization tests. The event samples are what the golden files under
 * {@code golden/events} were written from: never edit an existing sample, or the golden test no
 * longer proves that old journals still read. A new event type gets a new sample and file.
 */
final class Samples {

  static final Instant AT = Instant.parse("2025-03-04T05:06:07.890123Z");
  static final Owner OWNER = new Owner("acme", "ada");

  private Samples() {}

  static SessionSpec spec() {
    return new SessionSpec(
        new AgentDefinition("You are a support agent.\nBe brief.", "default", new Limits(8, 600)),
        List.of(
            new ToolConnection.Http(
                "send_email",
                "http://tools.internal/send_email",
                "Sends an e-mail",
                json("{\"type\":\"object\",\"required\":[\"to\"],\"properties\":{\"to\":{\"type\":\"string\"}}}"),
                false,
                "EMAIL_TOKEN"),
            new ToolConnection.Mcp("files", "http://127.0.0.1:9000/mcp", List.of("search", "read_file"), null)),
        new PermissionPolicy(Map.of("send_email", Permission.ASK, "delete_repo", Permission.DENY, "*", Permission.ALLOW)),
        Map.of("user_name", json("\"Ada\""), "visits", json("3")),
        Map.of("team", "support", "region", "eu"));
  }

  /** One sample of every event type, keyed by its class. */
  static Map<Class<? extends SessionEvent>, SessionEvent> events() {
    Map<Class<? extends SessionEvent>, SessionEvent> events = new LinkedHashMap<>();
    put(events, new SessionCreated(OWNER, spec(), AT));
    put(events, new SessionClosed("ada", AT));
    put(events, new MemoryWritten(
        "prefs",
        json("{\"ratio\":0.5,\"count\":3,\"big\":12345678901,\"tiny\":-1.25E-3,"
            + "\"tags\":[\"a\",null,true,false],\"text\":\"naïve ✓ 日本\",\"empty\":{}}"),
        "ada", AT));
    put(events, new MemoryDeleted("prefs", "bob", AT));
    put(events, new ToolConnected(
        new ToolConnection.Http("lookup", "https://tools.internal/lookup", null, null, true, null), "ada", AT));
    put(events, new ToolDisconnected("lookup", "olga", AT));
    put(events, new PermissionsChanged(
        new PermissionPolicy(Map.of("*", Permission.ASK, "memory_write", Permission.DENY)), "ada", AT));
    put(events, new UserMessageAccepted("turn_0a1b2c", "Summarise my open tickets ✓", "idem-42", "ada", AT));
    put(events, new TurnCancelled("turn_0a1b2c", "interrupted by a new message", "ada", AT));
    return events;
  }

  private static void put(Map<Class<? extends SessionEvent>, SessionEvent> events, SessionEvent e) {
    events.put(e.getClass(), e);
  }

  /** The state every sample event folds into. */
  static SessionState state() {
    SessionState s = SessionState.empty();
    for (SessionEvent e : events().values()) {
      if (!(e instanceof SessionClosed)) {
        s = s.apply(e);
      }
    }
    return s.apply(new UserMessageAccepted("turn_3d4e5f", "and then?", null, "ada", AT.plusSeconds(1)));
  }

  static SessionView view() {
    return SessionView.of("s-1", state());
  }

  static Turn cancelledTurn() {
    return new Turn("turn_0a1b2c", TurnStatus.CANCELLED, 2, null, new TurnError("cancelled", "stop"), AT, AT.plusSeconds(9));
  }

  static Turn completedTurn() {
    return new Turn("turn_3d4e5f", TurnStatus.COMPLETED, 3, "Done: 2 tickets.", null, AT, AT.plusSeconds(20));
  }

  static TranscriptEntry toolCallEntry() {
    return new TranscriptEntry(
        7, "turn_3d4e5f", "assistant", null,
        List.of(new TranscriptEntry.ToolCall("call_1", "send_email", json("{\"to\":\"a@b.c\"}"))), null, null);
  }

  static TranscriptEntry toolResultEntry() {
    return new TranscriptEntry(8, "turn_3d4e5f", "tool", "{\"sent\":true}", null, "call_1", "succeeded");
  }
}
