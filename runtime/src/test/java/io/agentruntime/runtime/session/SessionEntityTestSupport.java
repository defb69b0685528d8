package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.agentruntime.runtime.metrics.SessionMetrics;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.session.SessionCommand.CreateSession;
import io.agentruntime.runtime.session.SessionCommand.GetSession;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One session entity per test on the in-memory journal, with serialization of every command, reply,
 * event and state checked (including equality after the round trip), and a restart after every test
 * that must rebuild exactly the state the test left. Its model and tools are fakes that answer only
 * when the test says so: a turn stays running until the test moves it on.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SessionEntityTestSupport {

  private static final AtomicInteger SESSIONS = new AtomicInteger();

  /** Small bounds, so that the tests can reach them. */
  static final String SMALL_LIMITS =
      """
      agent-runtime.session {
        max-memory-entries = 3
        max-memory-value-size = 128
        max-tools = 3
        max-message-chars = 100
      }
      """;

  @JUnit5TestKit public final ActorTestKit testKit;

  /**
   * Timeouts long enough never to fire on their own; tests move the clock and send the deadline.
   */
  static final TurnSettings TURNS =
      new TurnSettings(
          Duration.ofHours(1),
          Duration.ofMinutes(2),
          Duration.ofMinutes(1),
          512,
          Duration.ofHours(1),
          100);

  /**
   * The shard the entity passivates through; none (it never passivates) unless a test class needs
   * one.
   */
  ActorRef<ClusterSharding.ShardCommand> shard() {
    return null;
  }

  /** The turn settings the sessions run with; {@link #TURNS} unless a test class needs others. */
  TurnSettings turnSettings() {
    return TURNS;
  }

  SessionSettings settings;
  MutableClock clock;
  RecordingDirectory directory;
  FakeModel model;
  FakeTools tools;
  String sessionId;
  EventSourcedBehaviorTestKit<SessionCommand, SessionEvent, SessionState> kit;

  SessionEntityTestSupport(String sessionConfig) {
    testKit =
        new JUnit5TestKitBuilder()
            .withName(getClass().getSimpleName())
            .withCustomConfig(
                ConfigFactory.parseString(sessionConfig)
                    .withFallback(EventSourcedBehaviorTestKit.config())
                    .withFallback(Fixtures.QUIET))
            .build();
  }

  @BeforeEach
  void startSession() {
    settings = SessionSettings.fromConfig(testKit.system().settings().config());
    clock = new MutableClock(Fixtures.T0);
    directory = new RecordingDirectory();
    model = new FakeModel();
    tools = new FakeTools();
    sessionId = "s" + SESSIONS.incrementAndGet();
    SessionRuntime runtime =
        new SessionRuntime(
                settings, turnSettings(), directory, model, tools, clock, SessionMetrics.NONE)
            .withLifecycle(lifecycle())
            .withCeilings(ceilings());
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            SessionEntity.create(SessionEntity.entityId(TENANT, sessionId), runtime, shard()),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
  }

  /** Where the session reads its tenant's policy: no ceiling and no limit, unless a test says. */
  TenantCeilings ceilings() {
    return TenantCeilings.NONE;
  }

  /** Where the session hands its lifecycle changes (webhooks): nowhere, unless a test says. */
  LifecycleFeed lifecycle() {
    return LifecycleFeed.NONE;
  }

  @AfterEach
  void recoveryRebuildsTheSameState() {
    restartAndCheck();
  }

  /**
   * Stops the entity and starts it again from its journal and snapshots, checks that it rebuilt the
   * state it had (plus what it journaled by itself on recovery, which may happen before the check
   * can look: an in-doubt call, say), and returns once it has acted on where it stood.
   */
  SessionState restartAndCheck() {
    SessionState before = kit.getState();
    SessionState recovered = kit.restart().state();
    SessionState expected = before;
    for (SessionEvent e : eventsAfter(before.lastSeq(), recovered.lastSeq())) {
      expected = expected.apply(e);
    }
    assertEquals(expected, recovered, "the state recovered from the journal");
    return settled();
  }

  /** The journaled events with sequence numbers in (after, upTo]. */
  List<SessionEvent> eventsAfter(long after, long upTo) {
    if (upTo <= after) {
      return List.of();
    }
    var queries =
        PersistenceQuery.get(Adapter.toClassic(testKit.system()))
            .getReadJournalFor(
                PersistenceTestKitReadJournal.class, PersistenceTestKitReadJournal.Identifier());
    return queries
        .currentEventsByPersistenceId(persistenceId(), after + 1, upTo)
        .map(envelope -> (SessionEvent) envelope.event())
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture()
        .join();
  }

  String persistenceId() {
    return PersistenceId.of(
            SessionEntity.TYPE_KEY.name(), SessionEntity.entityId(TENANT, sessionId))
        .id();
  }

  CommandResultWithReply<SessionCommand, SessionEvent, SessionState, SessionReply> run(
      Function<ActorRef<SessionReply>, SessionCommand> command) {
    return kit.<SessionReply>runCommand(command::apply);
  }

  /** Creates the standard session as Ada and returns what she sees. */
  SessionView createSession() {
    SessionSummary made =
        assertInstanceOf(
                SessionReply.Created.class,
                run(r -> new CreateSession(ADA, Fixtures.spec(), CreateMode.CREATE_NEW, r)).reply())
            .session();
    SessionView view = view(ADA);
    assertEquals(SessionSummary.of(view), made, "the create answers the session in summary");
    return view;
  }

  /** The whole view as {@code caller} reads it: GetSession streams it in parts. */
  SessionView view(Caller caller) {
    return view(run(r -> new GetSession(caller, r)).reply());
  }

  /** The view a GetSession answered, streamed in parts. */
  SessionView view(SessionReply reply) {
    SessionReply.ViewStream stream = assertInstanceOf(SessionReply.ViewStream.class, reply);
    return ViewPart.assemble(
        stream
            .parts()
            .getSource()
            .runWith(Sink.seq(), testKit.system())
            .toCompletableFuture()
            .join());
  }

  /** Runs a command that must be refused, checks that it changed nothing, returns why. */
  Problem refused(Function<ActorRef<SessionReply>, SessionCommand> command) {
    SessionState before = kit.getState();
    var result = run(command);
    assertTrue(result.hasNoEvents(), () -> "a refused command persisted " + result.events());
    assertEquals(before, result.state(), "a refused command changed the state");
    return assertInstanceOf(SessionReply.Rejected.class, result.reply()).problem();
  }

  /** Every event of the session's journal, in order. */
  List<SessionEvent> journal() {
    return kit.persistenceTestKit().persistedInStorage(persistenceId()).stream()
        .map(e -> (SessionEvent) e)
        .toList();
  }

  /**
   * Waits until the entity has handled everything already in its mailbox: a fake's answer is
   * enqueued as the test completes it, so afterwards its events are journaled and acted upon.
   */
  SessionState settled() {
    return kit.getState();
  }

  /** Waits for what arrives on the entity's own schedule (timers, its messages to itself). */
  SessionState awaitState(Predicate<SessionState> condition) {
    SessionState[] seen = new SessionState[1];
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(10),
            () -> {
              seen[0] = kit.getState();
              assertTrue(condition.test(seen[0]), () -> "still " + seen[0]);
              return null;
            });
    return seen[0];
  }

  /**
   * The session after {@code reply}: the view a GetSession streamed, or, after a write (which
   * answers the session in summary only), the whole view read now, which the summary must name.
   */
  SessionView current(SessionReply reply) {
    if (reply instanceof SessionReply.ViewStream) {
      return view(reply);
    }
    SessionSummary summary = assertInstanceOf(SessionReply.Current.class, reply).session();
    SessionView now = view(Fixtures.OPERATOR);
    assertEquals(now.id(), summary.id());
    assertTrue(summary.lastSeq() <= now.lastSeq(), () -> summary + " after " + now);
    return now;
  }

  static void assertProblem(Problem problem, Problem.Kind kind, String code, String field) {
    assertEquals(kind, problem.kind(), problem::toString);
    assertEquals(code, problem.code(), problem::toString);
    assertEquals(field, problem.field(), problem::toString);
  }
}
