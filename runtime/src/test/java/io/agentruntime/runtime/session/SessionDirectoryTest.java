package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.T0;
import static io.agentruntime.runtime.session.Fixtures.TENANT;
import static io.agentruntime.runtime.session.Fixtures.json;
import static io.agentruntime.runtime.session.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.directory.ListedUsage;
import io.agentruntime.runtime.directory.SessionSummary;
import io.agentruntime.runtime.session.SessionCommand.CloseSession;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.session.SessionCommand.CreateSession;
import io.agentruntime.runtime.session.SessionCommand.WriteMemory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The directory the API lists sessions from: written before create and close answer, healed on
 * recovery.
 */
class SessionDirectoryTest extends SessionEntityTestSupport {

  SessionDirectoryTest() {
    super(SMALL_LIMITS);
  }

  @Test
  void aCreatedSessionIsListedByTheTimeTheCallerHearsOfIt() {
    assertTrue(directory.listed(TENANT).isEmpty());
    createSession();
    assertEquals(
        List.of(new SessionSummary(TENANT, sessionId, "ada", "idle", T0, T0, ListedUsage.NONE)),
        directory.listed(TENANT));
  }

  @Test
  void aClosedSessionIsListedAsClosed() {
    createSession();
    Instant closedAt = clock.advance(Duration.ofMinutes(3));
    run(r -> new CloseSession(ADA, r));
    assertEquals(
        List.of(
            new SessionSummary(TENANT, sessionId, "ada", "closed", T0, closedAt, ListedUsage.NONE)),
        directory.listed(TENANT));
  }

  @Test
  void aRefusedCreateListsNothing() {
    createSession();
    int writes = directory.writes().size();
    refused(r -> new CreateSession(ADA, spec(), CreateMode.CREATE_NEW, r));
    assertEquals(writes, directory.writes().size());
  }

  @Test
  void aLostDirectoryWriteDoesNotLoseTheReplyAndRecoveryRepairsIt() {
    directory.failWrites(true);
    var created = run(r -> new CreateSession(ADA, spec(), CreateMode.CREATE_NEW, r));
    assertInstanceOf(SessionReply.Created.class, created.reply());
    assertTrue(directory.listed(TENANT).isEmpty());

    directory.failWrites(false);
    kit.restart();

    assertEquals(
        List.of(new SessionSummary(TENANT, sessionId, "ada", "idle", T0, T0, ListedUsage.NONE)),
        directory.listed(TENANT));
  }

  @Test
  void aStalledDirectoryDelaysACreateOrCloseByAQuarterOfTheAskTimeoutAtMost() {
    // The asker gives up at the ask timeout (10 s here): its answer must come well before, or a
    // journaled create would be reported as a timeout (decision 0034).
    directory.hangWrites(true);
    var asker = testKit.<SessionReply>createTestProbe();
    kit.runCommand(new CreateSession(ADA, spec(), CreateMode.CREATE_NEW, asker.ref()));
    asker.expectMessageClass(SessionReply.Created.class, Duration.ofSeconds(4));
    kit.runCommand(new CloseSession(ADA, asker.ref()));
    assertEquals(
        "closed",
        asker
            .expectMessageClass(SessionReply.Current.class, Duration.ofSeconds(4))
            .session()
            .status()
            .wireName());
  }

  @Test
  void recoveryWritesTheLatestSummaryAgain() {
    createSession();
    Instant at = clock.advance(Duration.ofMinutes(1));
    run(r -> new WriteMemory(ADA, "k", json("1"), r));
    int before = directory.writes().size();

    kit.restart();

    List<SessionSummary> writes = directory.writes();
    assertEquals(before + 1, writes.size());
    assertEquals(
        new SessionSummary(TENANT, sessionId, "ada", "idle", T0, at, ListedUsage.NONE),
        writes.get(writes.size() - 1));
  }

  @Test
  void recoveryOfASessionThatWasNeverCreatedWritesNothing() {
    kit.restart();
    assertTrue(directory.writes().isEmpty());
  }
}
