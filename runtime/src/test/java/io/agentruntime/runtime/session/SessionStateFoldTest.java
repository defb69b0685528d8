package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.SessionEvent.*;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every event type is folded: a sample of each, applied to a state it makes sense in, changes the
 * session (Java 17 cannot check a chain of {@code instanceof} for exhaustiveness; this test does,
 * and {@code SessionState.fold} throws for a type it does not know).
 */
class SessionStateFoldTest {

  private static final Map<Class<? extends SessionEvent>, SessionEvent> SAMPLES = Samples.events();

  private static SessionState created() {
    return SessionState.empty().apply(SAMPLES.get(SessionCreated.class));
  }

  /** The turn of the samples, started, nothing asked yet. */
  private static SessionState started() {
    return Samples.state().apply(SAMPLES.get(TurnStarted.class));
  }

  /**
   * Where each sample changes something: by default a session mid-turn ({@link
   * Samples#busyState()}), else the state named here.
   */
  private static final Map<Class<? extends SessionEvent>, Supplier<SessionState>> GIVEN =
      Map.ofEntries(
          Map.entry(SessionCreated.class, SessionState::empty),
          Map.entry(PermissionsChanged.class, SessionStateFoldTest::created),
          Map.entry(SessionEvent.SessionUpdated.class, SessionStateFoldTest::created),
          Map.entry(UserMessageAccepted.class, SessionStateFoldTest::created),
          Map.entry(
              TurnCancelled.class, () -> created().apply(SAMPLES.get(UserMessageAccepted.class))),
          Map.entry(
              MemoryDeleted.class,
              () -> Samples.busyState().apply(SAMPLES.get(MemoryWritten.class))),
          Map.entry(
              ToolDisconnected.class,
              () -> Samples.busyState().apply(SAMPLES.get(ToolConnected.class))),
          Map.entry(TurnStarted.class, Samples::state),
          Map.entry(ToolCallStarted.class, SessionStateFoldTest::started),
          Map.entry(ApprovalRequested.class, SessionStateFoldTest::started),
          Map.entry(SessionEvent.ClientToolCallRequested.class, SessionStateFoldTest::started),
          Map.entry(SessionEvent.UserMessageSteered.class, SessionStateFoldTest::started),
          Map.entry(
              SessionResumed.class,
              () -> Samples.busyState().apply(SAMPLES.get(SessionSuspended.class))));

  /** The bookkeeping marker of passivation: it moves the sequence number and nothing else. */
  private static final Set<Class<?>> BOOKKEEPING = Set.of(SessionPassivating.class);

  private static List<Object> content(SessionState s) {
    return Arrays.stream(SessionState.class.getRecordComponents())
        .filter(c -> !Set.of("lastSeq", "updatedAt").contains(c.getName()))
        .map(c -> value(c, s))
        .toList();
  }

  private static Object value(RecordComponent component, SessionState s) {
    try {
      return component.getAccessor().invoke(s);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void everyEventTypeHasASample() {
    assertEquals(SessionWireSerializationTest.leaves(SessionEvent.class), SAMPLES.keySet());
  }

  @TestFactory
  Stream<DynamicTest> everyEventTypeChangesTheSession() {
    return SAMPLES.values().stream()
        .map(
            event ->
                DynamicTest.dynamicTest(
                    event.getClass().getSimpleName(),
                    () -> {
                      SessionState before =
                          GIVEN.getOrDefault(event.getClass(), Samples::busyState).get();
                      SessionState after = before.apply(event);
                      // (A tombstone carries its own sequence number, which may be further on.)
                      assertTrue(after.lastSeq() > before.lastSeq(), "lastSeq");
                      if (BOOKKEEPING.contains(event.getClass())) {
                        assertEquals(content(before), content(after));
                      } else {
                        assertNotEquals(content(before), content(after), "nothing folded");
                      }
                    }));
  }

  /**
   * The weight of the history that the size limit reads is kept by the lists as events fold (not
   * summed again on every question): after every sample it equals the sum taken afresh, and the
   * whole session weighs what a state built from the same lists weighs.
   */
  @TestFactory
  Stream<DynamicTest> theHistorysWeightIsKeptAsEventsFold() {
    return SAMPLES.values().stream()
        .map(
            event ->
                DynamicTest.dynamicTest(
                    event.getClass().getSimpleName(),
                    () -> {
                      SessionState after =
                          GIVEN
                              .getOrDefault(event.getClass(), Samples::busyState)
                              .get()
                              .apply(event);
                      long entries = after.transcript().stream().mapToLong(SessionSize::of).sum();
                      long turns = after.turns().stream().mapToLong(SessionSize::of).sum();
                      assertEquals(
                          entries, ((Transcript) after.transcript()).bytes(), "transcript");
                      assertEquals(turns, ((TurnList) after.turns()).bytes(), "turns");
                      assertEquals(
                          entries,
                          Transcript.of(new java.util.ArrayList<>(after.transcript())).bytes());
                      assertEquals(
                          turns, TurnList.of(new java.util.ArrayList<>(after.turns())).bytes());
                    }));
  }

  @Test
  void theEndsOfTurnsAndCallsAreGrouped() {
    for (SessionEvent e : SAMPLES.values()) {
      boolean turnEnd =
          e instanceof TurnCompleted || e instanceof TurnFailed || e instanceof TurnCancelled;
      boolean callEnd =
          e instanceof ToolCallSucceeded
              || e instanceof ToolCallFailed
              || e instanceof ToolCallRejected
              || e instanceof ToolCallCancelled;
      assertEquals(turnEnd, e instanceof TurnEnded, e::toString);
      assertEquals(callEnd, e instanceof ToolCallEnded, e::toString);
    }
    assertTrue(
        Stream.of(
                ((TurnEnded) SAMPLES.get(TurnCompleted.class)).outcome(),
                ((ToolCallEnded) SAMPLES.get(ToolCallRejected.class)).outcome())
            .allMatch(Set.of("completed", "rejected")::contains));
  }
}
