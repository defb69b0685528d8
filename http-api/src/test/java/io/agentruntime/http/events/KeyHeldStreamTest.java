package io.agentruntime.http.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.http.auth.KeySlots;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** An event stream's bytes held against its key: its slot, the probes, the key's removal. */
class KeyHeldStreamTest {

  private static final ActorTestKit kit = ActorTestKit.create();
  private static final Materializer mat = Materializer.matFromSystem(kit.system());

  private final KeySlots slots = new KeySlots(1);
  private final AtomicBoolean keyValid = new AtomicBoolean(true);
  private final CompletableFuture<Done> clientGone = new CompletableFuture<>();

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private Pair<BoundedSourceQueue<ByteString>, SinkQueueWithCancel<ByteString>> run(
      Duration keyCheck) {
    return Source.<ByteString>queue(8)
        .via(
            new KeyHeldStream(
                slots,
                "k1",
                () -> CompletableFuture.completedFuture(keyValid.get()),
                keyCheck,
                clientGone))
        .toMat(Sink.queue(), Keep.both())
        .run(mat);
  }

  private static Optional<ByteString> next(SinkQueueWithCancel<ByteString> out) throws Exception {
    return out.pull().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void framesPassInOrderAndTheSlotIsHeldUntilTheStreamEnds() throws Exception {
    var stream = run(Duration.ofMinutes(1));
    stream.first().offer(ByteString.fromString("a"));
    stream.first().offer(ByteString.fromString("b"));
    assertEquals("a", next(stream.second()).orElseThrow().utf8String());
    assertEquals("b", next(stream.second()).orElseThrow().utf8String());
    assertTrue(slots.full("k1"), "the key's one slot is taken");

    stream.second().cancel(); // the client went away
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (slots.full("k1") && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertFalse(slots.full("k1"), "given back");
  }

  @Test
  void aProbeOfTheKeyWritesAComment() throws Exception {
    var stream = run(Duration.ofMinutes(1));
    stream.first().offer(ByteString.fromString("a"));
    assertEquals("a", next(stream.second()).orElseThrow().utf8String());
    slots.probe("k1");
    assertEquals(SseFrames.KEEP_ALIVE, next(stream.second()).orElseThrow());
    stream.first().offer(ByteString.fromString("b"));
    assertEquals("b", next(stream.second()).orElseThrow().utf8String());
    stream.second().cancel();
  }

  @Test
  void theStreamEndsOnceItsKeyIsRemovedAndWhenItsEventsEnd() throws Exception {
    var revoked = run(Duration.ofMillis(50));
    revoked.first().offer(ByteString.fromString("a"));
    assertEquals("a", next(revoked.second()).orElseThrow().utf8String());
    keyValid.set(false);
    assertEquals(Optional.empty(), next(revoked.second()), "complete, as the client sees it");

    keyValid.set(true);
    var finished = run(Duration.ofMinutes(1));
    finished.first().offer(ByteString.fromString("last"));
    finished.first().complete();
    assertEquals("last", next(finished.second()).orElseThrow().utf8String());
    assertEquals(Optional.empty(), next(finished.second()));
  }

  @Test
  void theStreamEndsAndGivesItsSlotBackAsSoonAsItsClientLeaves() throws Exception {
    var stream = run(Duration.ofMinutes(1));
    stream.first().offer(ByteString.fromString("a"));
    assertEquals("a", next(stream.second()).orElseThrow().utf8String());

    clientGone.complete(Done.getInstance()); // no write has failed, no probe was made
    assertEquals(Optional.empty(), next(stream.second()), "ended");
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (slots.full("k1") && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertFalse(slots.full("k1"), "its slot given back");
  }
}
