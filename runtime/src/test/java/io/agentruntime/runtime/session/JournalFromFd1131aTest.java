package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.agentruntime.runtime.metrics.SessionMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A journal written by commit fd1131a, before the session entity was refactored, still recovers:
 * every stored event reads back with all its fields, and a session started from the stored events
 * alone answers the read commands as fd1131a answered them. The fixture under {@code
 * journal-fd1131a} was written by {@link JournalFixtureGenerator} (see its README); it is stored
 * data, never to be regenerated from newer code.
 *
 * <p>A recorded answer, and a stored event, must still hold every field it held, with the same
 * value; a field added since is allowed (it is what an optional field added to a record is).
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JournalFromFd1131aTest {

  private static final String FIXTURE = "/journal-fd1131a/";

  /** One line of the journal fixture: an event as a journal stores it. */
  record Stored(
      String persistenceId,
      long sequenceNr,
      String type,
      int serializerId,
      String manifest,
      String bytes) {

    byte[] payload() {
      return Base64.getDecoder().decode(bytes);
    }

    String name() {
      return persistenceId + " #" + sequenceNr + " " + manifest;
    }
  }

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder()
          .withName("JournalFromFd1131aTest")
          .withCustomConfig(EventSourcedBehaviorTestKit.config().withFallback(Fixtures.QUIET))
          .build();

  private final ObjectMapper plain = new ObjectMapper();
  private final ObjectMapper cbor = new ObjectMapper(new CBORFactory());

  private Serialization serialization() {
    return SerializationExtension.get(testKit.system().classicSystem());
  }

  /** The mapper of Pekko's jackson-json serializer, which the generator wrote the answers with. */
  private ObjectMapper json() {
    return JacksonObjectMapperProvider.get(Adapter.toClassic(testKit.system()))
        .getOrCreate("jackson-json", Optional.empty());
  }

  private static String resource(String name) {
    try (InputStream in = JournalFromFd1131aTest.class.getResourceAsStream(FIXTURE + name)) {
      if (in == null) {
        throw new IllegalStateException("no fixture file " + FIXTURE + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The stored events, by persistence id, in the order of their sequence numbers. */
  private Map<String, List<Stored>> journal() throws JsonProcessingException {
    Map<String, List<Stored>> byId = new LinkedHashMap<>();
    for (String line : resource(JournalFixtureGenerator.JOURNAL).split("\n")) {
      if (!line.isBlank()) {
        Stored stored = plain.readValue(line, Stored.class);
        byId.computeIfAbsent(stored.persistenceId(), id -> new ArrayList<>()).add(stored);
      }
    }
    return byId;
  }

  private JsonNode expected() throws JsonProcessingException {
    return plain.readTree(resource(JournalFixtureGenerator.EXPECTED)).get("sessions");
  }

  /** Reads a stored event as a journal plugin does: by its serializer id and manifest. */
  private SessionEvent read(Stored stored) {
    return (SessionEvent)
        serialization()
            .deserialize(stored.payload(), stored.serializerId(), stored.manifest())
            .get();
  }

  @TestFactory
  Stream<DynamicTest> everyStoredEventReadsBackWithAllItsFields() throws JsonProcessingException {
    return journal().values().stream()
        .flatMap(List::stream)
        .map(stored -> DynamicTest.dynamicTest(stored.name(), () -> readsBackWhole(stored)));
  }

  /**
   * Pekko's Jackson ignores a stored field that no component is named after: a renamed or removed
   * component reads as null, silently. Writing the event again and comparing it with what was
   * stored finds the field that was lost.
   */
  private void readsBackWhole(Stored stored) throws IOException {
    SessionEvent event = read(stored);
    Serializer serializer = serialization().findSerializerFor(event);
    assertEquals(stored.serializerId(), serializer.identifier(), "serializer");
    assertEquals(stored.manifest(), Serializers.manifestFor(serializer, event), "manifest");
    assertEquals(stored.type(), event.type(), "the type clients see");
    JsonNode before = cbor.readTree(stored.payload());
    JsonNode after = cbor.readTree(serialization().serialize(event).get());
    String lost = difference("", before, after);
    if (lost != null) {
      fail(stored.name() + " does not read back as stored: " + lost);
    }
  }

  @TestFactory
  Stream<DynamicTest> everySessionRecoversToTheAnswersRecordedOnFd1131a()
      throws JsonProcessingException {
    Map<String, List<Stored>> journal = journal();
    JsonNode expected = expected();
    assertEquals(
        setOf(expected.fieldNames()),
        journal.keySet(),
        "the sessions of the journal and of the answers");
    return journal.entrySet().stream()
        .map(
            session ->
                DynamicTest.dynamicTest(
                    session.getKey(),
                    () -> recovers(session.getValue(), expected.get(session.getKey()))));
  }

  private void recovers(List<Stored> stored, JsonNode expected) throws IOException {
    String persistenceId = stored.get(0).persistenceId();
    String sessionId = expected.get("sessionId").asText();
    List<SessionEvent> events = stored.stream().map(this::read).toList();
    MutableClock clock = new MutableClock(Instant.parse(expected.get("clock").asText()));
    SessionRuntime runtime =
        new SessionRuntime(
            SessionSettings.fromConfig(testKit.system().settings().config()),
            SessionEntityTestSupport.TURNS,
            new RecordingDirectory(),
            new FakeModel(),
            new FakeTools(),
            clock,
            SessionMetrics.NONE);
    // Created first: a new testkit clears the in-memory journal. The entity is then restarted on
    // the stored events alone.
    EventSourcedBehaviorTestKit<SessionCommand, SessionEvent, SessionState> kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            SessionEntity.create(SessionEntity.entityId(Fixtures.TENANT, sessionId), runtime, null),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    assertEquals(
        persistenceId,
        PersistenceId.of(
                SessionEntity.TYPE_KEY.name(), SessionEntity.entityId(Fixtures.TENANT, sessionId))
            .id());
    store(kit.persistenceTestKit(), stored, events);
    assertEquals(
        stored.stream().map(Stored::sequenceNr).toList(),
        sequenceNumbers(persistenceId),
        "the events are in the journal at their stored sequence numbers");

    SessionState recovered = kit.restart().state();

    SessionState folded = SessionState.empty();
    for (SessionEvent e : events) {
      folded = folded.apply(e);
    }
    assertEquals(folded, recovered, "the entity recovered what SessionState folds");
    JsonNode answers = expected.get("answers");
    Map<String, Function<ActorRef<SessionReply>, SessionCommand>> reads =
        JournalFixtureGenerator.reads();
    assertEquals(setOf(answers.fieldNames()), reads.keySet(), "the read commands");
    for (var read : reads.entrySet()) {
      SessionReply reply = kit.<SessionReply>runCommand(read.getValue()::apply).reply();
      if (reply instanceof SessionReply.ViewStream stream) {
        // Since decision 0033 the view streams in parts instead of one Current: the same view.
        sameView(
            read.getKey() + " of the recovered entity",
            answers.get(read.getKey()),
            ViewPart.assemble(
                stream
                    .parts()
                    .getSource()
                    .runWith(Sink.seq(), testKit.system())
                    .toCompletableFuture()
                    .join()));
      } else {
        sameAnswer(read.getKey() + " of the recovered entity", answers.get(read.getKey()), reply);
      }
    }
    if (folded.exists()) {
      sameView(
          "the view of the folded state",
          answers.get("GetSession"),
          SessionView.of(sessionId, folded));
      sameAnswer(
          "the transcript of the folded state",
          answers.get("GetTranscript"),
          new SessionReply.TranscriptFound(folded.transcript()));
      sameAnswer(
          "the approvals of the folded state",
          answers.get("ListApprovals"),
          new SessionReply.ApprovalList(folded.pendingApprovals()));
    }
    assertEquals(
        events,
        kit.persistenceTestKit().persistedInStorage(persistenceId),
        "recovery journaled or deleted something");
  }

  /**
   * Puts the events in the journal at their stored sequence numbers. A journal whose first events
   * were deleted (an erased session's) starts later: as many placeholders are written before, then
   * deleted, keeping the sequence numbers.
   */
  private static void store(
      PersistenceTestKit journal, List<Stored> stored, List<SessionEvent> events) {
    String persistenceId = stored.get(0).persistenceId();
    long first = stored.get(0).sequenceNr();
    for (int i = 0; i < stored.size(); i++) {
      assertEquals(first + i, stored.get(i).sequenceNr(), "sequence numbers without gaps");
    }
    if (first > 1) {
      journal.persistForRecovery(
          persistenceId, Collections.nCopies((int) first - 1, (Object) events.get(0)));
      journal.clearByIdPreservingSeqNumbers(persistenceId);
    }
    journal.persistForRecovery(persistenceId, List.copyOf(events));
  }

  private List<Long> sequenceNumbers(String persistenceId) {
    return PersistenceQuery.get(Adapter.toClassic(testKit.system()))
        .getReadJournalFor(
            PersistenceTestKitReadJournal.class, PersistenceTestKitReadJournal.Identifier())
        .currentEventsByPersistenceId(persistenceId, 0, Long.MAX_VALUE)
        .map(EventEnvelope::sequenceNr)
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture()
        .join();
  }

  /** A view the same as the one fd1131a answered in a {@code Current}. */
  private void sameView(String what, JsonNode recorded, SessionView view) throws IOException {
    assertEquals("Current", recorded.get("reply").asText(), what);
    JsonNode now = plain.readTree(json().writeValueAsString(view));
    String difference = difference("", recorded.get("body").get("session"), now);
    if (difference != null) {
      fail(what + " differs from what fd1131a answered: " + difference);
    }
  }

  private void sameAnswer(String what, JsonNode recorded, SessionReply reply) throws IOException {
    assertEquals(recorded.get("reply").asText(), reply.getClass().getSimpleName(), what);
    JsonNode now = plain.readTree(json().writeValueAsString(reply));
    String difference = difference("", recorded.get("body"), now);
    if (difference != null) {
      fail(what + " differs from what fd1131a answered: " + difference);
    }
  }

  /**
   * The first place where {@code now} does not hold what {@code recorded} holds (every field with
   * the same value; further fields are allowed), or null.
   */
  static String difference(String path, JsonNode recorded, JsonNode now) {
    if (recorded.isObject() && now.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = recorded.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String at = path + "/" + field.getKey();
        if (!now.has(field.getKey())) {
          return at + ": missing (recorded " + field.getValue() + ")";
        }
        String inner = difference(at, field.getValue(), now.get(field.getKey()));
        if (inner != null) {
          return inner;
        }
      }
      return null;
    }
    if (recorded.isArray() && now.isArray()) {
      if (recorded.size() != now.size()) {
        return path + ": " + recorded.size() + " elements recorded, now " + now.size();
      }
      for (int i = 0; i < recorded.size(); i++) {
        String inner = difference(path + "/" + i, recorded.get(i), now.get(i));
        if (inner != null) {
          return inner;
        }
      }
      return null;
    }
    return recorded.equals(now) ? null : path + ": recorded " + recorded + ", now " + now;
  }

  private static Set<String> setOf(Iterator<String> names) {
    Set<String> set = new TreeSet<>();
    names.forEachRemaining(set::add);
    assertFalse(set.isEmpty(), "nothing recorded");
    return set;
  }
}
