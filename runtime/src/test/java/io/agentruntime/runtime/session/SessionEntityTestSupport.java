package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.ADA;
import static io.agentruntime.runtime.session.Fixtures.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.session.SessionCommand.CreateSession;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One session entity per test on the in-memory journal, with serialization of every command,
 * reply, event and state checked (including equality after the round trip), and a restart after
 * every test that must rebuild exactly the state the test left.
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

  SessionSettings settings;
  MutableClock clock;
  RecordingDirectory directory;
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
    sessionId = "s" + SESSIONS.incrementAndGet();
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            SessionEntity.create(SessionEntity.entityId(TENANT, sessionId), settings, directory, clock),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
  }

  @AfterEach
  void recoveryRebuildsTheSameState() {
    SessionState before = kit.getState();
    assertEquals(before, kit.restart().state(), "the state recovered from the journal");
  }

  CommandResultWithReply<SessionCommand, SessionEvent, SessionState, SessionReply> run(
      Function<ActorRef<SessionReply>, SessionCommand> command) {
    return kit.<SessionReply>runCommand(command::apply);
  }

  /** Creates the standard session as Ada and returns what she sees. */
  SessionView createSession() {
    return assertInstanceOf(
            SessionReply.Created.class,
            run(r -> new CreateSession(ADA, Fixtures.spec(), CreateMode.CREATE_NEW, r)).reply())
        .session();
  }

  /** Runs a command that must be refused, checks that it changed nothing, returns why. */
  Problem refused(Function<ActorRef<SessionReply>, SessionCommand> command) {
    SessionState before = kit.getState();
    var result = run(command);
    assertTrue(result.hasNoEvents(), () -> "a refused command persisted " + result.events());
    assertEquals(before, result.state(), "a refused command changed the state");
    return assertInstanceOf(SessionReply.Rejected.class, result.reply()).problem();
  }

  static SessionView current(SessionReply reply) {
    return assertInstanceOf(SessionReply.Current.class, reply).session();
  }

  static void assertProblem(Problem problem, Problem.Kind kind, String code, String field) {
    assertEquals(kind, problem.kind(), problem::toString);
    assertEquals(code, problem.code(), problem::toString);
    assertEquals(field, problem.field(), problem::toString);
  }
}
