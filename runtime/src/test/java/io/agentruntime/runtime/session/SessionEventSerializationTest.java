package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.testing.GoldenSamples;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Events through Pekko's real serialization, and the golden samples: one stored file per event type
 * that must keep reading as the sample it was written from, so that a change to an event that would
 * break old journals fails here first. Run with {@code -Dgolden.write=true} to write the files of
 * new event types; existing files are never rewritten.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionEventSerializationTest {

  /** Pekko's fixed identifier of jackson-cbor; journals store it next to each event. */
  static final int JACKSON_CBOR = GoldenSamples.JACKSON_CBOR;

  private static final Path GOLDEN = Path.of("src", "test", "resources", "golden", "events");

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder()
          .withName("SessionEventSerializationTest")
          .withCustomConfig(Fixtures.QUIET)
          .build();

  private Serialization serialization() {
    return SerializationExtension.get(testKit.system().classicSystem());
  }

  private static List<Class<?>> eventTypes() {
    return List.copyOf(SessionWireSerializationTest.leaves(SessionEvent.class));
  }

  @Test
  void everyEventTypeHasASample() {
    assertEquals(
        Samples.events().keySet(),
        Set.copyOf(eventTypes()),
        "Samples.events() must cover every SessionEvent");
  }

  @Test
  void eventsAreBoundToJacksonCbor() {
    for (SessionEvent event : Samples.events().values()) {
      Serializer serializer = serialization().findSerializerFor(event);
      assertEquals(JACKSON_CBOR, serializer.identifier(), event.getClass().getName());
      assertEquals(event.getClass().getName(), Serializers.manifestFor(serializer, event));
    }
  }

  @TestFactory
  Stream<DynamicTest> everyEventSurvivesARoundTrip() {
    return Stream.concat(Samples.events().values().stream(), Samples.variants().values().stream())
        .map(
            event ->
                DynamicTest.dynamicTest(
                    event.getClass().getSimpleName(),
                    () -> {
                      Serializer serializer = serialization().findSerializerFor(event);
                      byte[] bytes = serialization().serialize(event).get();
                      Object back =
                          serialization()
                              .deserialize(
                                  bytes,
                                  serializer.identifier(),
                                  Serializers.manifestFor(serializer, event))
                              .get();
                      assertEquals(event, back);
                    }));
  }

  @TestFactory
  Stream<DynamicTest> everyStoredEventStillReadsAsItsSample() {
    Map<Class<? extends SessionEvent>, SessionEvent> samples = Samples.events();
    return eventTypes().stream()
        .map(
            type ->
                DynamicTest.dynamicTest(
                    type.getSimpleName(),
                    () -> {
                      SessionEvent expected = samples.get(type);
                      assertTrue(
                          expected != null,
                          "no sample for " + type.getName() + " in Samples.events()");
                      readsAsStored(type.getSimpleName(), expected);
                    }));
  }

  @TestFactory
  Stream<DynamicTest> everyStoredVariantStillReadsAsItsSample() {
    return Samples.variants().entrySet().stream()
        .map(
            variant ->
                DynamicTest.dynamicTest(
                    variant.getKey(), () -> readsAsStored(variant.getKey(), variant.getValue())));
  }

  private void readsAsStored(String name, SessionEvent expected) throws IOException {
    GoldenSamples.assertReadsAsStored(testKit.system(), GOLDEN.resolve(name), expected);
  }
}
