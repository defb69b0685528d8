package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.T0;
import static io.agentruntime.runtime.session.Fixtures.TENANT;
import static io.agentruntime.runtime.session.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.SessionEvent.AssistantReplied;
import io.agentruntime.runtime.session.SessionEvent.SessionCreated;
import io.agentruntime.runtime.session.SessionEvent.SessionErased;
import io.agentruntime.runtime.session.SessionEvent.TurnCancelled;
import io.agentruntime.runtime.session.SessionEvent.TurnCompleted;
import io.agentruntime.runtime.session.SessionEvent.TurnFailed;
import io.agentruntime.runtime.session.SessionEvent.TurnStarted;
import io.agentruntime.runtime.session.SessionEvent.UserMessageAccepted;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a snapshot stores, through Pekko's real serialization and the entity's snapshot adapter: the
 * state comes back whole, and snapshots written before the snapshot form (whole states, golden
 * samples under golden/snapshots) still load.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionSnapshotTest {

  private static final Path GOLDEN = Path.of("src", "test", "resources", "golden", "snapshots");

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder()
          .withName("SessionSnapshotTest")
          .withCustomConfig(Fixtures.QUIET)
          .build();

  private Serialization serialization() {
    return SerializationExtension.get(testKit.system().classicSystem());
  }

  /** Stored as the entity stores it and read back as recovery reads it. */
  private SessionState stored(SessionState state) {
    Object form = Passivation.SNAPSHOTS.toJournal(state);
    assertEquals(SessionSnapshot.class, form.getClass());
    Serializer serializer = serialization().findSerializerFor(form);
    assertEquals(SessionEventSerializationTest.JACKSON_CBOR, serializer.identifier());
    byte[] bytes = serialization().serialize(form).get();
    Object read =
        serialization()
            .deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, form))
            .get();
    return Passivation.SNAPSHOTS.fromJournal(read);
  }

  /** A session with turns that ended every way, one running and one queued behind it. */
  private static SessionState longSession() {
    SessionState s =
        SessionState.empty().apply(new SessionCreated(new Owner(TENANT, "ada"), spec(), T0));
    Instant at = T0;
    for (int i = 0; i < 30; i++) {
      String turn = "turn_" + i;
      at = at.plusMillis(1500).plusNanos(123_456);
      s =
          s.apply(
                  new UserMessageAccepted(
                      turn, "message " + i, i % 3 == 0 ? "key-" + i : null, "ada", at))
              .apply(new TurnStarted(turn, at));
      if (i % 5 == 4) {
        s = s.apply(new TurnFailed(turn, "model_error", "the model failed", at));
      } else {
        s =
            s.apply(new AssistantReplied(turn, 1, "reply " + i, List.of(), 10, 5, at))
                .apply(
                    new TurnCompleted(
                        turn, i % 7 == 6 ? "an output of its own " + i : "reply " + i, at));
      }
    }
    return s.apply(new UserMessageAccepted("turn_running", "go on", null, "ada", at))
        .apply(new TurnStarted("turn_running", at))
        .apply(new UserMessageAccepted("turn_queued", "and then", null, "ada", at))
        .apply(new UserMessageAccepted("turn_dropped", "never mind", null, "ada", at))
        .apply(new TurnCancelled("turn_dropped", "cancelled by ada", "ada", at));
  }

  @Test
  void aSnapshotGivesBackTheWholeState() {
    for (SessionState state :
        List.of(SessionState.empty(), Samples.state(), Samples.busyState(), longSession())) {
      SessionState back = stored(state);
      assertEquals(state, back);
      assertEquals(state.currentTurn(), back.currentTurn());
      assertEquals(state.nextQueuedTurn(), back.nextQueuedTurn());
      assertEquals(state.unfinishedTurns(), back.unfinishedTurns());
      // Compared and printed as the state it holds, not by its arrays' identities.
      assertEquals(SessionSnapshot.of(state), SessionSnapshot.of(back));
      assertEquals(SessionSnapshot.of(state).toString(), SessionSnapshot.of(back).toString());
    }
  }

  @Test
  void anErasedSessionStaysErased() {
    SessionState erased =
        longSession().apply(new SessionErased(200, "operator", T0.plusSeconds(99)));
    SessionState back = stored(erased);
    assertEquals(erased, back);
    assertTrue(back.erased());
  }

  @Test
  void oldTurnsAndTheirIdempotencyKeysAreStillThereAfterASnapshot() {
    SessionState back = stored(longSession());
    assertEquals(TurnStatus.COMPLETED, back.turn("turn_0").orElseThrow().status());
    assertEquals("reply 0", back.turn("turn_0").orElseThrow().output());
    assertEquals("an output of its own 6", back.turn("turn_6").orElseThrow().output());
    assertEquals(TurnStatus.FAILED, back.turn("turn_4").orElseThrow().status());
    assertEquals("turn_3", back.turnForIdempotencyKey("key-3").orElseThrow().id());
    assertEquals("turn_running", back.activeTurn().orElseThrow().id());
  }

  @Test
  void aTurnsOutputThatIsItsLastReplyIsStoredOnce() {
    String reply = "a reply long enough to be noticed twice, " + "x".repeat(200);
    SessionState s =
        SessionState.empty()
            .apply(new SessionCreated(new Owner(TENANT, "ada"), spec(), T0))
            .apply(new UserMessageAccepted("turn_1", "hello", null, "ada", T0))
            .apply(new TurnStarted("turn_1", T0))
            .apply(new AssistantReplied("turn_1", 1, reply, List.of(), 10, 5, T0))
            .apply(new TurnCompleted("turn_1", reply, T0));
    String bytes =
        new String(
            serialization().serialize(Passivation.SNAPSHOTS.toJournal(s)).get(),
            StandardCharsets.ISO_8859_1);
    assertEquals(1, bytes.split("a reply long enough", -1).length - 1);
    assertEquals(reply, stored(s).turn("turn_1").orElseThrow().output());
  }

  @Test
  void snapshotsWrittenAsWholeStatesStillLoad() throws Exception {
    assertEquals(Samples.state(), storedBefore("SessionState-state"));
    assertEquals(Samples.busyState(), storedBefore("SessionState-busyState"));
  }

  /**
   * A golden snapshot written before snapshots had a form of their own, read as recovery reads it.
   */
  private SessionState storedBefore(String name) throws Exception {
    byte[] bytes = Files.readAllBytes(GOLDEN.resolve(name + ".cbor"));
    String manifest =
        Files.readString(GOLDEN.resolve(name + ".manifest"), StandardCharsets.UTF_8).strip();
    assertEquals(SessionState.class.getName(), manifest);
    Object read =
        serialization()
            .deserialize(bytes, SessionEventSerializationTest.JACKSON_CBOR, manifest)
            .get();
    return Passivation.SNAPSHOTS.fromJournal(read);
  }
}
