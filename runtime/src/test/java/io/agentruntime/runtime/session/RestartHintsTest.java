package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file of sessions with work in flight that a restart in place wakes first (0068). */
class RestartHintsTest {

  @TempDir Path dir;

  private final AtomicBoolean shuttingDown = new AtomicBoolean();

  private RestartHints hints(Path file) {
    return new RestartHints(file, shuttingDown::get);
  }

  private static Set<String> lines(Path file) throws Exception {
    return Files.readString(file).lines().collect(Collectors.toSet());
  }

  @Test
  void aSessionIsListedFromTheStartOfItsWorkToItsEnd() throws Exception {
    Path file = dir.resolve("in-flight-sessions");
    RestartHints hints = hints(file);
    hints.changed("acme:a", false, true);
    hints.changed("acme:b", false, true);
    hints.flush();
    assertEquals(Set.of("acme:a", "acme:b"), lines(file));

    hints.changed("acme:a", true, false);
    hints.changed("acme:b", true, true); // an event within the turn: no change
    hints.flush();
    assertEquals(Set.of("acme:b"), lines(file));

    hints.changed("acme:b", true, false);
    hints.flush();
    assertEquals("", Files.readString(file));
  }

  @Test
  void aSessionStoppedByItsNodesShutdownKeepsItsHintAndOneMovedAwayDoesNot() throws Exception {
    Path file = dir.resolve("in-flight-sessions");
    RestartHints hints = hints(file);
    hints.changed("acme:moved", false, true);
    hints.changed("acme:stopping", false, true);
    hints.stopped("acme:moved"); // passivated or rebalanced away: another node has it now
    shuttingDown.set(true);
    hints.stopped("acme:stopping"); // handed off at shutdown: it comes back here
    hints.flush();
    assertEquals(Set.of("acme:stopping"), lines(file));
  }

  @Test
  void theNextStartWakesEachListedSessionOnce() throws Exception {
    Path file = dir.resolve("in-flight-sessions");
    Files.writeString(file, "acme:a\n\n  acme:b \nacme:a\n");
    List<String> woken = new ArrayList<>();
    assertEquals(2, hints(file).wakeLastRun(woken::add));
    assertEquals(List.of("acme:a", "acme:b"), woken);
  }

  @Test
  void aMissingFileWakesNothing() {
    List<String> woken = new ArrayList<>();
    assertEquals(0, hints(dir.resolve("never-written")).wakeLastRun(woken::add));
    assertEquals(List.of(), woken);
  }

  @Test
  void offItKeepsAndReadsNothing() throws Exception {
    RestartHints off = hints(null);
    off.changed("acme:a", false, true);
    off.flush();
    assertFalse(off.on());
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "nothing written");
    }
    assertEquals(0, off.wakeLastRun(id -> {}));
  }

  @Test
  void aFileItCannotWriteIsTriedAgainAtTheNextFlush() throws Exception {
    Path blocked = dir.resolve("not-a-dir");
    Files.writeString(blocked, "a file where a folder should be");
    RestartHints hints = hints(blocked.resolve("in-flight-sessions"));
    hints.changed("acme:a", false, true);
    hints.flush(); // fails: the parent is a file
    Files.delete(blocked);
    hints.flush();
    assertEquals(Set.of("acme:a"), lines(blocked.resolve("in-flight-sessions")));
  }
}
