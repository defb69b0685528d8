package io.agentruntime.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * Stored events are a contract: each event type has a golden sample, its bytes and manifest as
 * Pekko's serialization wrote them once, and every build checks that they still read as the sample.
 * A missing sample fails the test; run the build once with {@code -Dgolden.write=true} to write the
 * missing ones (existing files are never rewritten) and commit them.
 */
public final class GoldenSamples {

  /** Pekko's fixed identifier of jackson-cbor; journals store it next to each event. */
  public static final int JACKSON_CBOR = 33;

  private static final boolean WRITE = Boolean.getBoolean("golden.write");

  private GoldenSamples() {}

  /**
   * Asserts that the sample stored at {@code stem} ({@code stem.cbor} and {@code stem.manifest})
   * reads as {@code sample}, and that the sample is bound to jackson-cbor.
   */
  public static void assertReadsAsStored(ActorSystem<?> system, Path stem, Object sample)
      throws IOException {
    Serialization serialization = SerializationExtension.get(system.classicSystem());
    Path bytes = Path.of(stem + ".cbor");
    Path manifest = Path.of(stem + ".manifest");
    Serializer serializer = serialization.findSerializerFor(sample);
    assertEquals(JACKSON_CBOR, serializer.identifier(), stem + " is bound to jackson-cbor");
    if (!Files.exists(bytes) || !Files.exists(manifest)) {
      if (!WRITE) {
        fail(
            "no golden sample "
                + bytes.toAbsolutePath()
                + ": run the build once with -Dgolden.write=true and commit the files it writes");
      }
      Files.createDirectories(bytes.getParent());
      Files.write(bytes, serialization.serialize(sample).get());
      Files.writeString(
          manifest, Serializers.manifestFor(serializer, sample) + "\n", StandardCharsets.UTF_8);
    }
    Object read =
        serialization
            .deserialize(
                Files.readAllBytes(bytes),
                JACKSON_CBOR,
                Files.readString(manifest, StandardCharsets.UTF_8).strip())
            .get();
    assertEquals(sample, read, "stored " + bytes + " no longer reads as its sample");
  }
}
