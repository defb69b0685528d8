package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
  static final int JACKSON_CBOR = 33;

  private static final Path GOLDEN = Path.of("src", "test", "resources", "golden", "events");
  private static final boolean WRITE = Boolean.getBoolean("golden.write");

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
    Path bytesFile = GOLDEN.resolve(name + ".cbor");
    Path manifestFile = GOLDEN.resolve(name + ".manifest");
    if (!Files.exists(bytesFile) || !Files.exists(manifestFile)) {
      if (!WRITE) {
        fail(
            "No golden sample "
                + bytesFile.toAbsolutePath()
                + " for "
                + name
                + ": run the build once with -Dgolden.write=true and commit the files it writes");
      }
      write(expected, bytesFile, manifestFile);
    }
    byte[] stored = Files.readAllBytes(bytesFile);
    String manifest = Files.readString(manifestFile, StandardCharsets.UTF_8).strip();
    Object read = serialization().deserialize(stored, JACKSON_CBOR, manifest).get();
    assertEquals(expected, read, "stored " + bytesFile + " no longer reads as its sample");
  }

  private void write(SessionEvent sample, Path bytesFile, Path manifestFile) throws IOException {
    Serializer serializer = serialization().findSerializerFor(sample);
    Files.createDirectories(GOLDEN);
    Files.write(bytesFile, serialization().serialize(sample).get());
    Files.writeString(
        manifestFile, Serializers.manifestFor(serializer, sample) + "\n", StandardCharsets.UTF_8);
  }
}
